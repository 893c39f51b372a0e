"""Extracts, from the installed botocore, the shapes the Bedrock agent tests hold
Switchboard's action group events and replies to (botocore_test.go), documentation
stripped. Run: python3 extract.py (writes the two *.shapes.json beside it)."""
import gzip, json, os, botocore

ROOTS = {
    "bedrock-agent-runtime": ["FunctionInvocationInput", "ApiInvocationInput", "FunctionResult", "ApiResult", "SessionState"],
    "bedrock-agent": ["FunctionSchema"],
}
here = os.path.dirname(os.path.abspath(__file__))
data = os.path.join(os.path.dirname(botocore.__file__), "data")
for service, roots in ROOTS.items():
    vdir = os.path.join(data, service)
    version = sorted(os.listdir(vdir))[-1]
    path = os.path.join(vdir, version, "service-2.json")
    model = json.load(gzip.open(path + ".gz", "rt") if os.path.exists(path + ".gz") else open(path))
    shapes, out, todo = model["shapes"], {}, list(roots)
    while todo:
        name = todo.pop()
        if name in out:
            continue
        s = {k: v for k, v in shapes[name].items() if k != "documentation"}
        refs = []
        if "members" in s:
            s["members"] = {m: {k: v for k, v in ref.items() if k != "documentation"} for m, ref in s["members"].items()}
            refs += [ref["shape"] for ref in s["members"].values()]
        for k in ("member", "key", "value"):
            if k in s:
                s[k] = {"shape": s[k]["shape"]}
                refs.append(s[k]["shape"])
        out[name] = s
        todo += refs
    doc = {"source": "botocore %s, data/%s/%s/service-2.json (documentation stripped)" % (botocore.__version__, service, version),
           "metadata": {k: model["metadata"][k] for k in ("apiVersion", "serviceId", "protocol")},
           "roots": roots, "shapes": dict(sorted(out.items()))}
    with open(os.path.join(here, service + ".shapes.json"), "w") as f:
        json.dump(doc, f, indent=1, sort_keys=False)
        f.write("\n")
    print(service, version, len(out), "shapes")
