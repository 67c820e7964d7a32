"""Validates FHIR JSON files with fhir.resources (its R4B models).

Usage: validate.py FILE...   (run through scripts/fhir-validate.sh, which sets up the venv)

fhir.resources' top-level package is FHIR R5; its `fhir.resources.R4B` subpackage holds the R4B
models, which for the resources Kinvault writes (Bundle, Patient, FamilyMemberHistory, Condition,
Composition) have the same elements and types as R4. Each file is parsed into the model of its
resourceType (a Bundle validates every entry's resource); on top of what pydantic checks, every
`urn:uuid:` reference must name an entry of the Bundle, and the FHIR invariants fhs-1 (not both
age[x] and born[x]) and cmp-1 (a Composition section has text, entries or sections) are checked.
Prints one line per file; exits 1 if any file is invalid.
"""

import json
import sys

import fhir.resources
from fhir.resources.R4B import get_fhir_model_class


def references(value, path=""):
    """Every Reference.reference string in a JSON value, with its path."""
    if isinstance(value, dict):
        for key, child in value.items():
            sub = f"{path}.{key}" if path else key
            if key == "reference" and isinstance(child, str):
                yield sub, child
            else:
                yield from references(child, sub)
    elif isinstance(value, list):
        for i, child in enumerate(value):
            yield from references(child, f"{path}[{i}]")


def invariants(data):
    problems = []
    entries = data.get("entry", []) if data.get("resourceType") == "Bundle" else [{"resource": data}]
    full_urls = {e.get("fullUrl") for e in entries if e.get("fullUrl")}
    for path, ref in references(data):
        if ref.startswith("urn:uuid:") and ref not in full_urls:
            problems.append(f"{path}: {ref} is not an entry of the Bundle")
    for i, entry in enumerate(entries):
        res = entry.get("resource", {})
        kind = res.get("resourceType")
        if kind == "FamilyMemberHistory":
            has_age = any(k.startswith("age") for k in res)
            has_born = any(k.startswith("born") for k in res)
            if has_age and has_born:
                problems.append(f"entry[{i}]: fhs-1: age[x] and born[x] together")
        if kind == "Composition":
            for j, section in enumerate(res.get("section", [])):
                if not (section.get("text") or section.get("entry") or section.get("section")):
                    problems.append(f"entry[{i}].section[{j}]: cmp-1: no text, entries or sections")
    return problems


def main(paths):
    if not paths:
        print("usage: validate.py FILE...", file=sys.stderr)
        return 2
    failed = 0
    for path in paths:
        try:
            with open(path, encoding="utf-8") as f:
                data = json.load(f)
            model = get_fhir_model_class(data["resourceType"])
            resource = model.model_validate(data)
            problems = invariants(data)
        except Exception as e:  # noqa: BLE001 - every failure is reported the same way
            failed += 1
            print(f"INVALID {path}: {e}")
            continue
        if problems:
            failed += 1
            print(f"INVALID {path}:\n  " + "\n  ".join(problems))
            continue
        count = len(data.get("entry", [])) if data.get("resourceType") == "Bundle" else 1
        print(f"VALID {path}: {resource.get_resource_type()} with {count} resources "
              f"(fhir.resources {fhir.resources.__version__}, R4B models)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
