"""Puts a Mailroom run and a Dovecot run side by side: one row per figure,
with the ratio Mailroom/Dovecot (for STORE/s higher is better for Mailroom;
for latencies, times and bytes lower is)."""


def _ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def _rows(mr, dc):
    rows = []

    def add(section, point, metric, key_path, better):
        def get(result):
            value = result
            for key in key_path:
                if not isinstance(value, dict) or key not in value:
                    return None
                value = value[key]
            return value
        a, b = get(mr), get(dc)
        if a is None and b is None:
            return
        rows.append({"section": section, "point": point, "metric": metric,
                     "mailroom": a, "dovecot": b, "ratio": _ratio(a, b),
                     "better": better})

    for conns in sorted(set(mr.get("store", {})) | set(dc.get("store", {})),
                        key=int):
        base = ("store", conns)
        add("STORE", "%s conn" % conns, "UID STORE/s (median)",
            base + ("median_ops_per_s",), "higher")
        add("STORE", "%s conn" % conns, "p99 ms (median)",
            base + ("median_p99_ms",), "lower")
        add("STORE", "%s conn" % conns, "lost updates (all runs)",
            base + ("lost_updates",), "lower")
    for watchers in sorted(set(mr.get("idle", {})) | set(dc.get("idle", {})),
                           key=int):
        base = ("idle", watchers)
        point = "%s watchers" % watchers
        add("IDLE", point, "p50 ms after writer's OK",
            base + ("from_ok_p50_ms",), "lower")
        add("IDLE", point, "p99 ms after writer's OK",
            base + ("from_ok_p99_ms",), "lower")
        add("IDLE", point, "p50 ms after send", base + ("from_send_p50_ms",),
            "lower")
        add("IDLE", point, "p99 ms after send", base + ("from_send_p99_ms",),
            "lower")
        add("IDLE", point, "missed notifications", base + ("missed",),
            "lower")
        add("IDLE", point, "watchers open", base + ("watchers_open",),
            "higher")
        add("IDLE", point, "s to open the watchers", base + ("setup_s",),
            "lower")
    for section, key, unit in (("QRESYNC vs changes", "qresync_changes",
                                "changes"),
                               ("QRESYNC vs size", "qresync_size",
                                "messages")):
        for point in sorted(set(mr.get(key, {})) | set(dc.get(key, {})),
                            key=int):
            base = (key, point)
            add(section, "%s %s" % (point, unit), "SELECT ms (median)",
                base + ("median_ms",), "lower")
            add(section, "%s %s" % (point, unit), "bytes received",
                base + ("median_bytes",), "lower")
    return rows


def combine(mr, dc):
    """{'rows': [...], 'mailroom': mr, 'dovecot': dc}."""
    return {"rows": _rows(mr, dc), "mailroom": mr, "dovecot": dc}


def _fmt(value):
    if value is None:
        return "-"
    if isinstance(value, int):
        return str(value)
    if abs(value) >= 100:
        return "%.0f" % value
    if abs(value) >= 10:
        return "%.1f" % value
    return "%.2f" % value


def markdown(combined):
    lines = []
    if combined.get("machine"):
        lines.append(combined["machine"])
        lines.append("")
    lines.append("| workload | point | figure | Mailroom | Dovecot "
                 "| Mailroom/Dovecot |")
    lines.append("|---|---|---|---|---|---|")
    for row in combined["rows"]:
        ratio = row["ratio"]
        lines.append("| %s | %s | %s | %s | %s | %s |" % (
            row["section"], row["point"], row["metric"],
            _fmt(row["mailroom"]), _fmt(row["dovecot"]),
            "-" if ratio is None else "%.2f" % ratio))
    return "\n".join(lines)
