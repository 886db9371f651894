#!/usr/bin/env node
// Reads SegStream's output topics as a third party would: kafkajs for Kafka, the Confluent schema
// registry client for the Avro values (SegStream writes the Confluent wire format: a zero byte, the
// schema id, then the Avro binary). Prints one JSON object per record on stdout:
//   {"topic":"segments.changes","partition":0,"offset":"12","key":"u1","value":{...}}
// A tombstone (an erased user on segments.membership) has "value": null. Decimals are strings
// ("39.9800"), timestamps ISO-8601 strings. Logs go to stderr.
//
//   node consume.js --brokers localhost:29092 --registry http://localhost:8081/apis/ccompat/v7
//
// Options: --topics a,b,c (default segments.changes,segments.membership,cart.abandoned),
// --group ID (default segstream-node-consumer), --from-beginning, --idle-exit-ms N (exit once no
// record came for N ms; for scripts and tests), --max-messages N.
import { parseArgs } from "node:util";
import kafkajs from "kafkajs";
import avro from "avsc";
import registryClient from "@kafkajs/confluent-schema-registry";

const { Kafka, logLevel } = kafkajs;
const { SchemaRegistry, SchemaType } = registryClient;

const { values: options } = parseArgs({
  options: {
    brokers: { type: "string", default: "localhost:29092" },
    registry: { type: "string", default: "http://localhost:8081/apis/ccompat/v7" },
    topics: { type: "string", default: "segments.changes,segments.membership,cart.abandoned" },
    group: { type: "string", default: "segstream-node-consumer" },
    "from-beginning": { type: "boolean", default: false },
    "idle-exit-ms": { type: "string" },
    "max-messages": { type: "string" },
  },
});

/** Avro decimal (bytes, two's complement, big-endian) as an exact decimal string with the schema's scale. */
class DecimalType extends avro.types.LogicalType {
  constructor(schema, opts) {
    super(schema, opts);
    this.scale = schema.scale || 0;
  }

  _fromValue(bytes) {
    let unscaled = 0n;
    for (const byte of bytes) {
      unscaled = (unscaled << 8n) | BigInt(byte);
    }
    if (bytes.length > 0 && bytes[0] & 0x80) {
      unscaled -= 1n << BigInt(8 * bytes.length);
    }
    const negative = unscaled < 0n;
    const digits = (negative ? -unscaled : unscaled).toString().padStart(this.scale + 1, "0");
    const whole = digits.slice(0, digits.length - this.scale);
    const fraction = this.scale > 0 ? "." + digits.slice(digits.length - this.scale) : "";
    return (negative ? "-" : "") + whole + fraction;
  }

  _toValue() {
    throw new Error("this example only reads");
  }
}

/** Avro timestamp-millis as an ISO-8601 string. */
class TimestampMillisType extends avro.types.LogicalType {
  _fromValue(millis) {
    return new Date(Number(millis)).toISOString();
  }

  _toValue() {
    throw new Error("this example only reads");
  }
}

const registry = new SchemaRegistry({ host: options.registry }, {
  [SchemaType.AVRO]: { logicalTypes: { decimal: DecimalType, "timestamp-millis": TimestampMillisType } },
});

const toStderr = () => ({ namespace, level, log }) => {
  const { message, ...extra } = log;
  process.stderr.write(`[kafkajs ${namespace}] ${level}: ${message} ${JSON.stringify(extra)}\n`);
};
const kafka = new Kafka({
  clientId: "segstream-node-consumer",
  brokers: options.brokers.split(","),
  logLevel: logLevel.WARN,
  logCreator: toStderr,
});
// Read committed (kafkajs' default): under exactly-once SegStream's outputs are transactional.
const consumer = kafka.consumer({ groupId: options.group });

const idleExitMs = options["idle-exit-ms"] ? Number(options["idle-exit-ms"]) : undefined;
const maxMessages = options["max-messages"] ? Number(options["max-messages"]) : undefined;
let printed = 0;
let lastRecordAt = Date.now();
let stopping = false;

async function stop(code) {
  if (stopping) {
    return;
  }
  stopping = true;
  await consumer.disconnect().catch(() => {});
  process.exit(code);
}

process.on("SIGINT", () => stop(0));
process.on("SIGTERM", () => stop(0));

await consumer.connect();
await consumer.subscribe({ topics: options.topics.split(","), fromBeginning: options["from-beginning"] });
await consumer.run({
  eachMessage: async ({ topic, partition, message }) => {
    lastRecordAt = Date.now();
    const value = message.value === null ? null : await registry.decode(message.value);
    process.stdout.write(JSON.stringify({
      topic,
      partition,
      offset: message.offset,
      key: message.key === null ? null : message.key.toString("utf8"),
      value,
    }) + "\n");
    printed += 1;
    if (maxMessages !== undefined && printed >= maxMessages) {
      await stop(0);
    }
  },
});

if (idleExitMs !== undefined) {
  setInterval(() => {
    if (Date.now() - lastRecordAt >= idleExitMs) {
      stop(0);
    }
  }, 200);
}
