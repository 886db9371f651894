package io.segstream.features;

import io.segstream.serde.StateEncoding;
import java.io.IOException;
import java.util.Arrays;
import org.apache.avro.io.Decoder;
import org.apache.avro.io.Encoder;

/**
 * The ids of orders counted in a user's state whose entry in store {@code order-ids} may not be
 * committed yet (at-least-once), with the orders' times: part of the user's state, so the id and
 * the count that it guards are in one record of one changelog. A crash cannot then leave the order
 * counted and its id unknown; the id leaves the state once its entry in {@code order-ids} is committed.
 *
 * <p>Empty for nearly every user (an order stays here about one commit), so a state holds none of
 * this until its first entry. Which entries this task has handed to {@code order-ids} is known in
 * memory only: a state read from the store hands its entries over again (idempotent puts).
 */
final class UncommittedOrders {

    private String[] ids = new String[1];
    private long[] times = new long[1];
    private int size;
    /** The first {@code handedOver} entries were handed to {@code order-ids} by this task (in memory only). */
    private int handedOver;

    void add(String id, long time) {
        if (size == ids.length) {
            ids = Arrays.copyOf(ids, size * 2);
            times = Arrays.copyOf(times, size * 2);
        }
        ids[size] = id;
        times[size] = time;
        size++;
    }

    /** Whether some entries were not handed to {@code order-ids} by this task yet. */
    boolean anyNotHandedOver() {
        return handedOver < size;
    }

    /** Hands each entry not handed over yet to {@code each}, and marks them handed over. */
    void handOver(Deduplication.HeldOrder each) {
        for (int i = handedOver; i < size; i++) {
            each.accept(ids[i], times[i]);
        }
        handedOver = size;
    }

    /** Removes the entry of {@code id} at {@code time}; returns whether there was one. */
    boolean remove(String id, long time) {
        for (int i = 0; i < size; i++) {
            if (ids[i].equals(id) && times[i] == time) {
                int after = size - i - 1;
                System.arraycopy(ids, i + 1, ids, i, after);
                System.arraycopy(times, i + 1, times, i, after);
                size--;
                ids[size] = null;
                if (i < handedOver) {
                    handedOver--;
                }
                return true;
            }
        }
        return false;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** As an Avro array of {orderId, time} records; null writes an empty array. */
    static void write(Encoder out, UncommittedOrders orders) throws IOException {
        StateEncoding.writeArray(out, orders == null ? 0 : orders.size, (encoder, i) -> {
            encoder.writeString(orders.ids[i]);
            encoder.writeLong(orders.times[i]);
        });
    }

    /** Reads {@link #write}'s array: null when it is empty. */
    static UncommittedOrders read(Decoder in) throws IOException {
        long block = in.readArrayStart();
        if (block == 0) {
            // Nearly every user: no object for them.
            return null;
        }
        UncommittedOrders orders = new UncommittedOrders();
        for (; block != 0; block = in.arrayNext()) {
            for (long i = 0; i < block; i++) {
                orders.add(in.readString(), in.readLong());
            }
        }
        return orders;
    }
}
