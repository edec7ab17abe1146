# parliament private auditor: instance-manager's own rules for every IAM policy it ships (issue 13).
#   STAR_ACTION            an Allow with "*" or "<service>:*" as an action
#   PASSROLE_UNSCOPED      iam:PassRole on "*" or on every role of an account (role/*)
#   TAG_WITHOUT_OWNERSHIP  a tag action allowed without an aws:ResourceTag condition (the resource is already ours)
#                          or ec2:CreateAction (tagging inside a create call), unless the statement is a tag-on-create
#                          pair: the create action, its tag action and an aws:RequestTag condition together, on a
#                          resource scoped below the account (instance-manager's IAM path, the configured clusters)
import re

TAG_ACTIONS = {"iam:tagrole", "iam:taginstanceprofile", "eks:tagresource", "autoscaling:createorupdatetags", "ec2:createtags", "cloudformation:tagresource"}
TAG_ON_CREATE = {
    "iam:tagrole": "iam:createrole",
    "iam:taginstanceprofile": "iam:createinstanceprofile",
    "eks:tagresource": ("eks:createnodegroup", "eks:createfargateprofile"),
    "autoscaling:createorupdatetags": "autoscaling:createautoscalinggroup",
}
ACCOUNT_WIDE = re.compile(r"^arn:[^:]+:[^:]+:[^:]*:[^:]*:[^/:]+[/:]\*(/\*)*$")


def as_list(value):
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def condition_keys(statement):
    keys = []
    for operator in (statement.get("Condition") or {}).values():
        keys.extend(k.lower() for k in operator.keys())
    return keys


def audit(policy):
    document = policy.policy_json()
    for statement in as_list(document.get("Statement")):
        if statement.get("Effect") != "Allow":
            continue
        actions = [a.lower() for a in as_list(statement.get("Action"))]
        resources = as_list(statement.get("Resource"))
        sid = statement.get("Sid", "")
        keys = condition_keys(statement)

        for action in actions:
            if action == "*" or action.endswith(":*"):
                policy.add_finding("STAR_ACTION", detail=f"{sid}: {action}", location={})

        if "iam:passrole" in actions:
            for resource in resources:
                if resource == "*" or resource.endswith(":role/*"):
                    policy.add_finding("PASSROLE_UNSCOPED", detail=f"{sid}: iam:PassRole on {resource}", location={})

        for action in actions:
            if action not in TAG_ACTIONS:
                continue
            if any(k.startswith("aws:resourcetag/") for k in keys) or "ec2:createaction" in keys:
                continue
            creates = TAG_ON_CREATE.get(action, ())
            creates = creates if isinstance(creates, tuple) else (creates,)
            pair = any(c in actions for c in creates) and any(k.startswith("aws:requesttag/") for k in keys)
            scoped = all(r != "*" and not ACCOUNT_WIDE.match(r) for r in resources)
            if not (pair and scoped):
                policy.add_finding("TAG_WITHOUT_OWNERSHIP", detail=f"{sid}: {action} on {', '.join(resources)}", location={})
