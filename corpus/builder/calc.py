def build_calc(entries, out, metrics):
    return []
