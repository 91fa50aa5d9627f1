#!/usr/bin/env python3
"""Independent verifier of a Hemisphere appointment draw (algorithm hemi-lottery-v1).

Standard library only. Usage:

    python3 verify_draw.py DRAW_DIR            # checks DRAW_DIR/{policy.txt,registrations.csv,
                                               #   commitment.txt,public_value.txt,result.csv}
    python3 verify_draw.py DRAW_DIR --print    # also prints the re-run winners

Exit status 0 when the published winners match the re-run bit for bit, 1 with the first
difference otherwise, 2 when a file is missing or malformed. See VERIFY.md.
"""
import hashlib
import os
import sys


def read(path):
    with open(path, "rb") as f:
        return f.read().decode("utf-8")


def fail(message, code=1):
    print("FAIL: " + message)
    sys.exit(code)


def parse_policy(text):
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    if not lines or lines[0] != "hemi-lottery-policy":
        fail("policy.txt: first line must be hemi-lottery-policy", 2)
    policy = {"flag_weights": {}, "capacities": []}
    for line in lines[1:]:
        key, _, value = line.partition("=")
        if key == "flag_weight":
            flag, _, w = value.partition(":")
            policy["flag_weights"][flag] = int(w)
        elif key == "capacity":
            port, _, people = value.partition(":")
            policy["capacities"].append((port, int(people)))
        else:
            policy[key] = value
    if policy.get("algorithm_version") != "hemi-lottery-v1":
        fail("policy.txt: this verifier implements hemi-lottery-v1, not %r"
             % policy.get("algorithm_version"), 2)
    policy["longest_waiting_share_permille"] = int(policy["longest_waiting_share_permille"])
    policy["default_weight"] = int(policy["default_weight"])
    return policy


def parse_registrations(text):
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    if lines[0] != "household_id,registered_on,people,preferred_ports,flags":
        fail("registrations.csv: unexpected header", 2)
    out = []
    for line in lines[1:]:
        hid, date, people, ports, flags = line.split(",")
        out.append({
            "id": hid,
            "date": date,  # YYYY-MM-DD sorts as text in date order
            "people": int(people),
            "ports": [p for p in ports.split(";") if p],
            "flags": [f for f in flags.split(";") if f],
        })
    return out


def weight(reg, policy):
    ws = [policy["flag_weights"][f] for f in reg["flags"] if f in policy["flag_weights"]]
    return max(ws) if ws else policy["default_weight"]


def key(seed_hex, hid, w):
    # Smallest of w ticket hashes; bytes compare as 256-bit big-endian numbers.
    return min(hashlib.sha256(("%s:%s:%d" % (seed_hex, hid, t)).encode()).digest()
               for t in range(max(w, 1)))


def run(policy, regs, seed_hex):
    keys = [key(seed_hex, r["id"], weight(r, policy)) for r in regs]
    ports = [p for p, _ in policy["capacities"]]
    remaining = {p: c for p, c in policy["capacities"]}
    share = policy["longest_waiting_share_permille"]
    remaining_lw = {p: c * share // 1000 for p, c in policy["capacities"]}
    chosen = [False] * len(regs)
    selections = []

    def first_fit(i, budget):
        for p in regs[i]["ports"]:
            if p in budget and budget[p] >= regs[i]["people"]:
                return p
        return None

    by_wait = sorted(range(len(regs)), key=lambda i: (regs[i]["date"], keys[i]))
    left = sum(remaining_lw.values())
    if share > 0:
        for i in by_wait:
            if left == 0:
                break
            p = first_fit(i, remaining_lw)
            if p is not None:
                size = regs[i]["people"]
                remaining_lw[p] -= size
                remaining[p] -= size
                left -= size
                chosen[i] = True
                selections.append((len(selections) + 1, regs[i]["id"], p, "longest_waiting"))
    by_key = sorted(range(len(regs)), key=lambda i: keys[i])
    left = sum(remaining.values())
    for i in by_key:
        if left == 0:
            break
        if chosen[i]:
            continue
        p = first_fit(i, remaining)
        if p is not None:
            size = regs[i]["people"]
            remaining[p] -= size
            left -= size
            chosen[i] = True
            selections.append((len(selections) + 1, regs[i]["id"], p, "random"))
    del ports
    return selections


def main(argv):
    if len(argv) < 2:
        print(__doc__)
        return 2
    d = argv[1]
    try:
        policy_text = read(os.path.join(d, "policy.txt"))
        regs_text = read(os.path.join(d, "registrations.csv"))
        published_commitment = read(os.path.join(d, "commitment.txt")).strip().lower()
        public_value = read(os.path.join(d, "public_value.txt"))
        result_text = read(os.path.join(d, "result.csv"))
    except OSError as e:
        fail(str(e), 2)
    if public_value.endswith("\n"):
        public_value = public_value[:-1]
    commitment = hashlib.sha256(policy_text.encode() + regs_text.encode()).hexdigest()
    if commitment != published_commitment:
        fail("the files hash to %s, not the published commitment %s: the list or policy "
             "changed after the commitment" % (commitment, published_commitment))
    seed_hex = hashlib.sha256(
        ("hemi-lottery-seed\n%s\n%s" % (commitment, public_value)).encode()).hexdigest()
    policy = parse_policy(policy_text)
    regs = parse_registrations(regs_text)
    expected = run(policy, regs, seed_hex)
    lines = result_text.split("\n")
    if lines[-1] == "":
        lines.pop()
    if lines[0] != "order,household_id,port,phase":
        fail("result.csv: unexpected header", 2)
    published = []
    for line in lines[1:]:
        order, hid, port, phase = line.split(",")
        published.append((int(order), hid, port, phase))
    for k in range(max(len(expected), len(published))):
        e = expected[k] if k < len(expected) else None
        p = published[k] if k < len(published) else None
        if e != p:
            fail("selection %d: the re-run draws %s, the published result has %s"
                 % (k + 1, e, p))
    print("OK commitment %s seed %s selections %d" % (commitment, seed_hex, len(expected)))
    if "--print" in argv:
        for s in expected:
            print("%d,%s,%s,%s" % s)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
