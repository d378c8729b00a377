"""Verifies webhook deliveries with the Standard Webhooks reference library (PyPI
`standardwebhooks`), an implementation independent of the hub's.

Reads a JSON list of cases from the file named on the command line; each case is
{"secret", "id", "timestamp", "signature", "body", "expect"} and `expect` says whether the
library must accept it. Prints one line per case and exits non-zero on any surprise.
"""

import json
import sys

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


def main() -> int:
    with open(sys.argv[1], encoding="utf-8") as f:
        cases = json.load(f)
    surprises = 0
    for i, c in enumerate(cases):
        headers = {
            "webhook-id": c["id"],
            "webhook-timestamp": c["timestamp"],
            "webhook-signature": c["signature"],
        }
        try:
            Webhook(c["secret"]).verify(c["body"], headers)
            ok = True
        except WebhookVerificationError as e:
            ok = False
            why = str(e)
        verdict = "accepted" if ok else f"refused ({why})"
        good = ok == c["expect"]
        surprises += 0 if good else 1
        print(f"case {i}: {c['id']}: {verdict}: {'as expected' if good else 'UNEXPECTED'}")
    print(f"{len(cases)} case(s), {surprises} surprise(s)")
    return 1 if surprises else 0


if __name__ == "__main__":
    sys.exit(main())
