# Runs parliament (with the auditors in iam-auditors/) over named IAM policies: JSON {name: policy} on stdin,
# JSON [{policy, issue, severity, detail}] on stdout.
import json
import os
import sys

from parliament import analyze_policy_string

here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "iam-auditors")
findings = []
for name, document in json.load(sys.stdin).items():
    policy = analyze_policy_string(json.dumps(document), private_auditors_custom_path=here)
    for f in policy.findings:
        findings.append({"policy": name, "issue": f.issue, "severity": f.severity, "detail": f.detail if isinstance(f.detail, str) else json.dumps(f.detail, default=str)})
json.dump(findings, sys.stdout)
