def build_overprint(entry, out, fontfile):
    return {}
