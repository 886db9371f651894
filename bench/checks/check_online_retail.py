#!/usr/bin/env python3
"""Checks SegStream's RFM against an independent computation from the raw online-retail export.

Usage: check_online_retail.py FILE.csv[.gz] [API_BASE_URL]   (default http://127.0.0.1:7070)

Run it after `segstream demo --replay online-retail:FILE` has processed the replay. It recomputes,
with Python's csv module and exact decimals and no SegStream code, for every customer:
frequency (distinct invoice numbers not starting with C), monetary (sum of quantity x unit price
over their invoices, cancellations negative) and last purchase, applying the documented rules:
rows without CustomerID are skipped, and every row of one InvoiceNo belongs to one order, wherever
it is in the file (the whole file is grouped in memory); an order's time is its latest row's
InvoiceDate. It then compares each with GET /api/v1/users/{id}.
"""
import csv
import datetime
import decimal
import gzip
import io
import json
import sys
import urllib.request


def read(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", newline="", encoding="utf-8") as f:
        yield from csv.DictReader(f)


def compute(path):
    invoices = {}
    for row in read(path):
        customer = row["CustomerID"].strip()
        if not customer:
            continue
        customer = customer[:-2] if customer.endswith(".0") else customer
        amount = decimal.Decimal(row["Quantity"]) * decimal.Decimal(row["UnitPrice"])
        at = datetime.datetime.strptime(row["InvoiceDate"], "%Y-%m-%d %H:%M:%S").replace(tzinfo=datetime.timezone.utc)
        invoice = invoices.setdefault(row["InvoiceNo"], {"customer": customer, "amount": decimal.Decimal(0), "at": at})
        invoice["amount"] += amount
        invoice["at"] = max(invoice["at"], at)
    customers = {}
    for number, invoice in invoices.items():
        c = customers.setdefault(invoice["customer"], {"purchases": 0, "monetary": decimal.Decimal(0), "last": None})
        c["monetary"] += invoice["amount"]
        if not number.startswith("C"):
            c["purchases"] += 1
            c["last"] = invoice["at"] if c["last"] is None else max(c["last"], invoice["at"])
    return customers


def main():
    path = sys.argv[1]
    base = sys.argv[2] if len(sys.argv) > 2 else "http://127.0.0.1:7070"
    expected = compute(path)
    matched, mismatched = 0, []
    for customer, c in sorted(expected.items()):
        with urllib.request.urlopen(f"{base}/api/v1/users/{customer}") as response:
            rfm = json.load(response)["rfm"]
        want_last = c["last"].strftime("%Y-%m-%dT%H:%M:%SZ") if c["last"] else None
        got_last = rfm["lastPurchase"]
        ok = (rfm["frequency"] == c["purchases"]
              and decimal.Decimal(str(rfm["monetary"])).quantize(decimal.Decimal("0.01"))
              == c["monetary"].quantize(decimal.Decimal("0.01"))
              and got_last == want_last)
        if ok:
            matched += 1
        else:
            mismatched.append((customer, c["purchases"], str(c["monetary"]), want_last,
                               rfm["frequency"], rfm["monetary"], got_last))
    print(f"customers: {len(expected)}  matched: {matched}  mismatched: {len(mismatched)}")
    for m in mismatched[:20]:
        print("  mismatch", m)
    sys.exit(0 if not mismatched else 1)


if __name__ == "__main__":
    main()
