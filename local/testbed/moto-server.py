# moto's server with one emulated gap filled: EKS TagResource, UntagResource and ListTagsForResource on managed
# node groups and Fargate profiles. moto 5.2.1 tags clusters only; AWS documents these calls for every taggable
# EKS resource ARN (clusters, managed node groups, Fargate profiles, ...). This follows that documented contract
# and nothing of instance-manager's: find the resource by its ARN, merge or remove the tags, answer
# ResourceNotFoundException for an ARN that names nothing. Named as emulation in docs/workflows/eks-managed.md.
import sys

from moto.eks.exceptions import ResourceNotFoundException
from moto.eks.models import EKSBackend


def _taggable(backend, arn):
    for cluster in backend.clusters.values():
        if cluster.arn == arn:
            return cluster
        for nodegroup in cluster.nodegroups.values():
            if nodegroup.arn == arn:
                return nodegroup
        for profile in cluster.fargate_profiles.values():
            if profile.fargate_profile_arn == arn:
                return profile
    raise ResourceNotFoundException(
        clusterName=None,
        nodegroupName=None,
        fargateProfileName=None,
        addonName=None,
        message="Resource was not found",
    )


def tag_resource(self, resource_arn, tags):
    _taggable(self, resource_arn).tags.update(tags)


def untag_resource(self, resource_arn, tag_keys):
    resource = _taggable(self, resource_arn)
    for key in tag_keys if isinstance(tag_keys, list) else [tag_keys]:
        resource.tags.pop(key, None)


def list_tags_for_resource(self, resource_arn):
    return _taggable(self, resource_arn).tags


EKSBackend.tag_resource = tag_resource
EKSBackend.untag_resource = untag_resource
EKSBackend.list_tags_for_resource = list_tags_for_resource

if __name__ == "__main__":
    from moto.server import main

    main(sys.argv[1:])
