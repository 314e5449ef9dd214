#!/usr/bin/python3
"""report.py RESULTS.jsonl OUT.json: the table of `make bench`.

Reads the JSON lines bench/run.sh collected, takes the median of every
figure over the rounds, prints one table and writes everything (medians
and the raw lines) to OUT.json.
"""
import json
import statistics
import sys


def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def group(lines, test, key):
    out = {}
    for r in lines:
        if r.get("test") == test:
            out.setdefault(key(r), []).append(r)
    return out


def summarize(rs, steps):
    """Median over rounds of rate, errors, per-step p50/p99 and CPU."""
    s = {
        "rate": med([r["rate"] for r in rs]),
        "rates": {r.get("round", i): r["rate"] for i, r in enumerate(rs)},
        "errors": sum(r["errors"] for r in rs),
        "load": med([r.get("load") for r in rs]),
    }
    for st in steps:
        s[st] = {
            "p50": med([r[st]["p50"] for r in rs if r[st]["n"]]),
            "p99": med([r[st]["p99"] for r in rs if r[st]["n"]]),
        }
    cpu = {}
    for k in ("slapd", "sink", "daemon", "client"):
        cpu[k] = med([r["cpu_per_op"][k] for r in rs if "cpu_per_op" in r])
    s["cpu_per_op"] = cpu
    return s


def fmt_rate(x):
    return "-" if x is None else "{:,.0f}".format(x)


def fmt_ms(x):
    if x is None:
        return "-"
    return "{:.2f}".format(x) if x < 10 else "{:.0f}".format(x)


def pp(d):
    return "{}/{}".format(fmt_ms(d["p50"]), fmt_ms(d["p99"]))


def cpu_line(c):
    if c is None or c.get("slapd") is None:
        return "-"
    total = sum(v for v in c.values() if v is not None)
    return "slapd {:.2f} sink {:.2f} daemon {:.2f} client {:.2f} = {:.2f}".format(
        c["slapd"], c["sink"], c["daemon"], c["client"], total)


def dirlimit_extra(rs):
    """Section 8's own figures, medians over rounds: the cores slapd used
    while the point ran, the share of the quota's periods in which it was
    throttled, and its operations per completed reset by type."""
    ops = {}
    for k in ("bind", "search", "modify", "extended"):
        ops[k] = med([r["ldap_ops"][k] for r in rs if "ldap_ops" in r])
    return {
        "slapd_threads": max([r.get("slapd_threads", 0) for r in rs]),
        "slapd_cores": med([r["cpu_per_op"]["slapd"] * r["total"] /
                            r["wall_ms"] for r in rs
                            if r.get("wall_ms") and "cpu_per_op" in r]),
        "throttled_share": med([r["throttle"]["throttled"] /
                                r["throttle"]["periods"] for r in rs
                                if r.get("throttle") and
                                r["throttle"]["periods"]]),
        "ldap_ops": ops,
    }


def ops_line(o):
    if any(v is None for v in o.values()):
        return "-"
    return "{:.2f} {:.2f} {:.2f} {:.2f} = {:.2f}".format(
        o["bind"], o["search"], o["modify"], o["extended"], sum(o.values()))


def fmt_cores(x):
    return "-" if x is None else "{:.2f}".format(x)


def fmt_share(x):
    return "-" if x is None else "{:.0%}".format(x)


def main():
    src, dst = sys.argv[1], sys.argv[2]
    lines = []
    with open(src) as f:
        for ln in f:
            ln = ln.strip()
            if ln:
                lines.append(json.loads(ln))
    machine = next((r for r in lines if r["test"] == "machine"), {})
    end = next((r for r in lines if r["test"] == "end"), {})
    mailca = next((r for r in lines if r["test"] == "mailca"), {})
    res = {"machine": machine, "load_end": end.get("load_end"),
           "mail_ca": mailca,
           "baseline": {}, "product": {}, "ratio": {}, "raw": lines}

    print()
    print("sspr benchmark {}: {} cores ({}), {:,} MiB, kernel {}, slapd {}".format(
        machine.get("date"), machine.get("cores"), machine.get("cpu"),
        machine.get("mem_mib", 0), machine.get("kernel"), machine.get("slapd")))
    print("load average {} at start, {} at end; {} users; medians of {} "
          "run(s) of {} s per point;".format(
              machine.get("load_start"), end.get("load_end"),
              machine.get("users"), machine.get("runs"), machine.get("secs")))
    print("mail to {} over {}, the server checked against {} CAs "
          "({})".format(
              {"postfix": "Postfix (virtual(8) into a Maildir)"}.get(
                  machine.get("mta"), "the Python sink"),
              machine.get("mail_tls"), mailca.get("cas"), mailca.get("file")))

    base = group(lines, "baseline", lambda r: (r["kind"], r["conc"]))
    if base:
        print()
        print("1. Baseline: the work one reset gives the directory and the "
              "mail server anyway")
        print("   {:<34} {:>5} {:>9}  {:>12} {:>12} {:>12}  {}".format(
            "", "conc", "per s", "search ms", "mail ms", "modify ms",
            "errors"))
        notify = any(r.get("notify") for r in lines
                     if r.get("test") == "baseline")
        label = {"dir": "directory: search + Password Modify",
                 "mail": "mail server: 1 message/connection",
                 "mailreuse": "mail server: kept connections",
                 "both": "both: search, mail, modify",
                 "bothreuse": "both, kept mail connections" +
                              (" + notice" if notify else "")}
        kinds = ["dir", "mail", "mailreuse", "both", "bothreuse"]
        for (kind, conc) in sorted(base, key=lambda k: (
                kinds.index(k[0]), k[1])):
            s = summarize(base[(kind, conc)],
                          ("search", "mail", "passwd", "iter"))
            res["baseline"]["%s/%d" % (kind, conc)] = s
            print("   {:<34} {:>5} {:>9}  {:>12} {:>12} {:>12}  {}".format(
                label[kind], conc, fmt_rate(s["rate"]),
                pp(s["search"]) if not kind.startswith("mail") else "",
                pp(s["mail"]) if kind != "dir" else "",
                pp(s["passwd"]) if not kind.startswith("mail") else "",
                s["errors"]))
        print("   (latencies: p50/p99 in ms; kept connections: at most {} "
              "messages or 30 s each,\n    as the daemon's [mail] "
              "reuse_messages and reuse_seconds{})".format(
                  next((r.get("reuse_messages") for r in lines
                        if r.get("kind") == "bothreuse"), 100),
                  "; + notice: the notification after the reset too, as "
                  "the daemon's [notify]" if notify else ""))

    prod = group(lines, "product", lambda r: r["conc"])
    steps = ("hello", "start", "mail", "verify", "setpw", "flow")
    if prod:
        print()
        print("2. Product: complete reset flows through the daemon's socket")
        print("   {:>5} {:>9}  {:>11} {:>11} {:>11} {:>11} {:>11} {:>11}  {}".format(
            "flows", "per s", *steps, "errors"))
        for conc in sorted(prod):
            s = summarize(prod[conc], steps)
            res["product"][str(conc)] = s
            print("   {:>5} {:>9}  {:>11} {:>11} {:>11} {:>11} {:>11} {:>11}  {}".format(
                conc, fmt_rate(s["rate"]), *[pp(s[st]) for st in steps],
                s["errors"]))
        print("   (p50/p99 ms; hello = connect + HELLO, start = START to "
              "CHALLENGE (lookup),")
        print("    mail = CHALLENGE until the code is in the sink, verify = "
              "ANSWER, setpw = NEW_PASSWORD)")

    if prod and base:
        print()
        print("3. Ratio: product / baseline at the same concurrency, median "
              "of the pairs measured")
        print("   back to back (goal >= 0.8 against one connection per "
              "message; >= 0.9 with [notify]")
        print("   on against the baseline doing the same mail work)")
        for bk, title in (("both", "one SMTP connection per message, "
                           "one message per reset"),
                          ("bothreuse", "kept SMTP connections, the "
                           "daemon's mail work")):
            if not any(k.startswith(bk + "/") for k in res["baseline"]):
                continue
            print("   against the baseline with {}:".format(title))
            for conc in sorted(prod):
                p = res["product"][str(conc)]
                b = res["baseline"].get("%s/%d" % (bk, conc))
                d = res["baseline"].get("dir/%d" % min(conc, 16))
                m = res["baseline"].get("%s/%d" % (
                    "mail" if bk == "both" else "mailreuse", min(conc, 16)))
                if b is None or not b["rate"]:
                    continue
                pairs = [p["rates"][k] / b["rates"][k]
                         for k in sorted(p["rates"]) if b["rates"].get(k)]
                r = med(pairs)
                res["ratio"].setdefault(bk, {})[str(conc)] = {
                    "product": p["rate"], "baseline": b["rate"], "ratio": r,
                    "pairs": pairs,
                    "limit_dir": d["rate"] if d else None,
                    "limit_mail": m["rate"] if m else None}
                if bk == "both":
                    res["ratio"][str(conc)] = res["ratio"][bk][str(conc)]
                print("   {:>5} flows: {:>7} vs {:>7} per s: {:.2f}  (pairs "
                      "{}; directory alone {}, mail alone {} per s)".format(
                          conc, fmt_rate(p["rate"]), fmt_rate(b["rate"]), r,
                          " ".join("%.2f" % x for x in pairs),
                          fmt_rate(d["rate"] if d else None),
                          fmt_rate(m["rate"] if m else None)))
        print("   CPU ms per completed reset, by process (client: the load "
              "generator; CPU-bound limit of")
        print("   the ratio: the baseline's total / the product's):")
        for conc in sorted(prod):
            pc = res["product"][str(conc)]["cpu_per_op"]
            tp = sum(v for v in pc.values() if v)
            print("   {:>5} product          {}".format(conc, cpu_line(pc)))
            for bk in ("both", "bothreuse"):
                b = res["baseline"].get("%s/%d" % (bk, conc))
                if not b or b["cpu_per_op"].get("slapd") is None:
                    continue
                tb = sum(v for v in b["cpu_per_op"].values() if v)
                lim = tb / tp if tp else None
                rr = res["ratio"].get(bk, {}).get(str(conc))
                if rr is not None:
                    rr["cpu_ratio"] = lim
                print("   {:>5} {:<16} {}  limit {:.2f}; daemon - client "
                      "{:+.2f} ms".format(
                          conc, "baseline" if bk == "both" else
                          "baseline kept", cpu_line(b["cpu_per_op"]),
                          lim or 0, (pc["daemon"] or 0) -
                          (b["cpu_per_op"]["client"] or 0)))
        b1 = res["baseline"].get("both/1")
        p1 = res["product"].get("1")
        if b1 and p1:
            print("   one flow alone, step by step (p50 ms): product "
                  "hello+start {} vs search {}; mail {} vs {};".format(
                      fmt_ms(p1["hello"]["p50"] + p1["start"]["p50"]),
                      fmt_ms(b1["search"]["p50"]), fmt_ms(p1["mail"]["p50"]),
                      fmt_ms(b1["mail"]["p50"])))
            print("   verify {} (no baseline counterpart); setpw {} vs "
                  "modify {}; whole {} vs {}".format(
                      fmt_ms(p1["verify"]["p50"]), fmt_ms(p1["setpw"]["p50"]),
                      fmt_ms(b1["passwd"]["p50"]), fmt_ms(p1["flow"]["p50"]),
                      fmt_ms(b1["iter"]["p50"])))

    pams = [r for r in lines if r["test"] == "pam"]
    wrong = next((r for r in lines if r["test"] == "pam-wrong"), None)
    if pams:
        res["pam"] = pams
        print()
        print("4. Ordinary logins through libpam, in-process (goal: ratio "
              "1.00 within noise)")
        label = {"checker": "pam_userdb alone (reference)",
                 "sspr": "pam_sspr + pam_userdb",
                 "checker-copy": "copy of the reference (noise)",
                 "permit": "pam_permit + pam_userdb"}
        for r in pams:
            print("   {}: {:,} logins x {} rounds ({} time)".format(
                "pam_authenticate on one handle" if r["mode"] == "auth"
                else "pam_start + pam_authenticate + pam_end",
                r["iters"], r["rounds"],
                "CPU" if r.get("clock") == "cpu" else "wall"))
            for s in r["stacks"]:
                print("     {:<32} {:>8.1f} us/login  ratio {:.3f} "
                      "({:.3f}..{:.3f})  prompts {:.2f}".format(
                          label.get(s["service"], s["service"]), s["us"],
                          s["ratio"], s["ratio_min"], s["ratio_max"],
                          s["prompts"]))
        print("   connections to the daemon socket: {}; failed logins: {}; "
              "a wrong password fails: {}".format(
                  sum(r["daemon_connects"] for r in pams),
                  sum(s["failures"] for r in pams for s in r["stacks"]),
                  "yes" if wrong and all(
                      s["failures"] == 10 for s in wrong["stacks"])
                  else "NO"))

    logins = [r for r in lines if r["test"] == "login"]
    if logins:
        res["login"] = logins
        print()
        print("4b. Whole ordinary logins (pam_start, pam_authenticate, "
              "pam_acct_mgmt, pam_end;\n"
              "    pam_unix with yescrypt; goal: <= 1.02 with the directory "
              "warm), wall time")
        label = {"login": "pam_unix alone (reference)",
                 "login-sspr": "pam_sspr auth + account",
                 "login-copy": "copy of the reference (noise)",
                 "login-sspr-auth": "pam_sspr auth only",
                 "acct": "account: pam_permit",
                 "acct-sspr": "account: pam_permit, pam_sspr",
                 "acct-copy": "copy (noise)"}
        ref_login = None
        for r in logins:
            st = {s["service"]: s for s in r["stacks"]}
            if r["kind"] == "warm" and "login" in st:
                ref_login = st["login"]["us"]
            # only the stacks with pam_sspr's account step ask the daemon
            asks = sum(1 for s in r["stacks"] if s["service"] in
                       ("login-sspr", "acct-sspr"))
            n = r["iters"] * (r["rounds"] + 1) * max(1, asks)
            print("   {} ({}): {:,} x {} rounds, load {}; per STATUS: "
                  "daemon {:.3f} ms, slapd {:.3f} ms of CPU".format(
                      {"warm": "whole login, directory warm",
                       "account": "account step alone",
                       "slow": "account step, slapd stopped"}.get(
                           r["kind"], r["kind"]),
                      r.get("user", "?"), r["iters"], r["rounds"],
                      r.get("load", "?"), r["daemon_cpu_ms"] / n,
                      r["slapd_cpu_ms"] / n))
            for s in r["stacks"]:
                print("     {:<32} {:>11.1f} us  ratio {:.3f} "
                      "({:.3f}..{:.3f})  failures {}".format(
                          label.get(s["service"], s["service"]), s["us"],
                          s["ratio"], s["ratio_min"], s["ratio_max"],
                          s["failures"]))
            if "acct-sspr" in st and "acct" in st:
                add = st["acct-sspr"]["us"] - st["acct"]["us"]
                print("     pam_sspr's account step adds {:.0f} us{}".format(
                    add, "" if not ref_login else
                    ": {:.3f} of the whole login above".format(
                        1 + add / ref_login)))

    held = [r for r in lines if r["test"] in ("idle", "warm", "held",
                                               "released")]
    if held:
        res["held"] = held
        print()
        print("5. Held flows (waiting at the code prompt; goal < 16 KiB per "
              "flow, idle < 10 MiB)")
        print("   {:<10} {:>6} {:>9} {:>9} {:>9} {:>6} {:>7} {:>8} {:>16}".format(
            "", "flows", "RSS KiB", "anon KiB", "PSS KiB", "fds", "threads",
            "B/flow", "new flow p50/p99"))
        for r in held:
            print("   {:<10} {:>6} {:>9,} {:>9,} {:>9,} {:>6} {:>7} {:>8} {:>16}".format(
                r["test"], r["flows"], r["rss_kib"], r["rss_anon_kib"],
                r.get("pss_kib", 0), r["fds"], r["threads"],
                "{:,.0f}".format(r["per_flow_bytes"]) if "per_flow_bytes" in r
                else "", pp(r["flow"]) + " ms" if "flow" in r else ""))
        for r in held:
            if r["test"] == "held":
                print("   {:>6} flows opened in {:.1f} s ({:,.0f}/s), their "
                      "mails sent in {:.1f} s more; new flow start {} ms, "
                      "setpw {} ms (p50/p99); errors {}".format(
                          r["flows"], r["fill_secs"], r["fill_rate"],
                          r["drain_secs"], pp(r["start"]), pp(r["setpw"]),
                          r["probe_errors"]))

    relay = group(lines, "relay", lambda r: r["conc"])
    if relay:
        print()
        print("7. Fleet: reset flows through a relay and a reset server (TLS, "
              "client certificates) vs the")
        print("   local role, pairs measured back to back (goal >= 0.9)")
        res["relay"] = {}
        local = group(lines, "relay-local", lambda r: r["conc"])
        for conc in sorted(relay):
            s = summarize(relay[conc], steps)
            by_round = {r["round"]: r["rate"] for r in local.get(conc, [])}
            pairs = [r["rate"] / by_round[r["round"]] for r in relay[conc]
                     if by_round.get(r["round"])]
            res["relay"][str(conc)] = {"rate": s["rate"], "pairs": pairs,
                                       "ratio": med(pairs) if pairs else None,
                                       "server_cpu_ms": med([r["cpu_per_op"]["daemon"] for r in relay[conc]]),
                                       "relay_cpu_ms": med([r.get("relay_cpu_per_op") for r in relay[conc]]),
                                       "local_cpu_ms": med([r["cpu_per_op"]["daemon"] for r in local.get(conc, [])])}
            print("   {:>5} flows: {:>7} per s, hello {} ms, flow {} ms; "
                  "ratio {} (pairs {}); errors {}".format(
                      conc, fmt_rate(s["rate"]), pp(s["hello"]),
                      pp(s["flow"]),
                      "%.2f" % med(pairs) if pairs else "-",
                      " ".join("%.2f" % x for x in pairs), s["errors"]))
            cpu = res["relay"][str(conc)]
            if cpu["relay_cpu_ms"] is not None:
                print("   {:>5}        CPU per reset: server {:.2f} ms + relay {:.2f} ms, "
                      "local role {:.2f} ms".format(
                          "", cpu["server_cpu_ms"], cpu["relay_cpu_ms"],
                          cpu["local_cpu_ms"] or 0))

    many = group(lines, "relays", lambda r: r["conc"])
    if many:
        print()
        print("7b. Fleet: one reset server with {} relays in front of it (a host "
              "certificate each, flows".format(
                  next(iter(many.values()))[0].get("relays", "?")))
        print("   spread over all), vs the local role and vs one relay, each "
              "pair from the same round")
        res["relays"] = {}
        local = group(lines, "relay-local", lambda r: r["conc"])
        one = group(lines, "relay", lambda r: r["conc"])
        for conc in sorted(many):
            s = summarize(many[conc], steps)
            vs = {}
            for name, other in (("local", local), ("one", one)):
                by_round = {r["round"]: r["rate"] for r in other.get(conc, [])}
                vs[name] = [r["rate"] / by_round[r["round"]] for r in many[conc]
                            if by_round.get(r["round"])]
            res["relays"][str(conc)] = {
                "rate": s["rate"], "vs_local": med(vs["local"]),
                "vs_one_relay": med(vs["one"]), "pairs_local": vs["local"],
                "pairs_one_relay": vs["one"],
                "server_cpu_ms": med([r["cpu_per_op"]["daemon"]
                                      for r in many[conc]]),
                "relays_cpu_ms": med([r.get("relay_cpu_per_op")
                                      for r in many[conc]])}
            print("   {:>5} flows: {:>7} per s, hello {} ms, flow {} ms; vs local "
                  "{}, vs one relay {}; CPU per reset: server {:.2f} ms, "
                  "relays {} ms; errors {}".format(
                      conc, fmt_rate(s["rate"]), pp(s["hello"]), pp(s["flow"]),
                      "%.2f" % med(vs["local"]) if vs["local"] else "-",
                      "%.2f" % med(vs["one"]) if vs["one"] else "-",
                      res["relays"][str(conc)]["server_cpu_ms"],
                      "%.2f" % res["relays"][str(conc)]["relays_cpu_ms"]
                      if res["relays"][str(conc)]["relays_cpu_ms"] is not None
                      else "-", s["errors"]))

    dl = group(lines, "dirlimit", lambda r: (r["kind"], r["dconns"]))
    if dl:
        print()
        print("8. The directory as the limit: resets at 256 flows / the "
              "directory's own rate at as")
        print("   many connections as the daemon's [directory] connections "
              "(goal >= 0.8)")
        budget = machine.get("dir_cpu")
        print("   slapd's CPU: {}; mail: {}, notifications {}".format(
            "a budget of {} cores (a CFS quota of {} us every {} us)".format(
                budget, int(round(budget * machine["dir_cpu_period_us"])),
                machine["dir_cpu_period_us"]) if budget else
            "unlimited (BENCH_DIR_CPU unset)",
            machine.get("mta"), machine.get("notify")))
        res["dirlimit"] = {"dir_cpu": budget,
                           "dir_cpu_period_us":
                           machine.get("dir_cpu_period_us")}
        for dc in sorted({k[1] for k in dl}):
            d = summarize(dl.get(("dir", dc), []),
                          ("search", "passwd")) if ("dir", dc) in dl else None
            p = summarize(dl.get(("product", dc), []),
                          steps) if ("product", dc) in dl else None
            if not d or not p:
                continue
            pairs = [p["rates"][k] / d["rates"][k] for k in sorted(p["rates"])
                     if d["rates"].get(k)]
            pc, dcpu = p["cpu_per_op"], d["cpu_per_op"]
            tp = sum(v for v in pc.values() if v)
            td = sum(v for v in dcpu.values() if v)
            res["dirlimit"][str(dc)] = {"dir": d, "product": p,
                                        "ratio": med(pairs), "pairs": pairs}
            print("   connections {:>2}: {:>5} vs {:>5} per s: {:.2f}  "
                  "(pairs {}); errors {}".format(
                      dc, fmt_rate(p["rate"]), fmt_rate(d["rate"]),
                      med(pairs) or 0, " ".join("%.2f" % x for x in pairs),
                      p["errors"] + d["errors"]))
            print("     CPU ms per reset: directory alone {};".format(
                cpu_line(dcpu)))
            print("       complete resets {}; flow {} ms, setpw {} ms"
                  .format(cpu_line(pc), pp(p["flow"]), pp(p["setpw"])))
            print("       CPU-bound limit of the ratio: {:.2f} / {:.2f} = "
                  "{:.2f}".format(td, tp, td / tp if tp else 0))
            ex = res["dirlimit"][str(dc)]
            for name, rs in (("dir", dl[("dir", dc)]),
                             ("product", dl[("product", dc)])):
                ex[name].update(dirlimit_extra(rs))
            if dcpu.get("slapd") and pc.get("slapd"):
                ex["slapd_limit"] = dcpu["slapd"] / pc["slapd"]
                print("       directory-bound limit (slapd's CPU per reset, "
                      "alone / product): {:.2f} / {:.2f} = {:.2f}".format(
                          dcpu["slapd"], pc["slapd"], ex["slapd_limit"]))
            print("       directory operations per reset (bind search "
                  "modify extended): alone {}, product {}".format(
                      ops_line(ex["dir"]["ldap_ops"]),
                      ops_line(ex["product"]["ldap_ops"])))
            print("       slapd used {} / {} cores{}; load average {} / {}".format(
                fmt_cores(ex["dir"]["slapd_cores"]),
                fmt_cores(ex["product"]["slapd_cores"]),
                "" if not budget else ", throttled in {} / {} of the "
                "quota's periods ({} threads, all held)".format(
                    fmt_share(ex["dir"]["throttled_share"]),
                    fmt_share(ex["product"]["throttled_share"]),
                    max(ex["dir"]["slapd_threads"],
                        ex["product"]["slapd_threads"])),
                d["load"], p["load"]))

    st = next((r for r in lines if r["test"] == "startup"), None)
    if st:
        res["startup"] = st
        print()
        print("6. Start-up: exec to the first HELLO_OK: {:.1f} ms median of {} "
              "({:.1f}..{:.1f})".format(st["p50"], st["runs"], st["min"],
                                        st["max"]))
    print()
    with open(dst, "w") as f:
        json.dump(res, f, indent=1)
    print("figures: {}".format(dst))


if __name__ == "__main__":
    main()
