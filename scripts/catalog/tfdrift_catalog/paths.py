"""Where a model member shows up in a CloudTrail record, per protocol.

CloudTrail's `requestParameters` / `responseElements` mirror the API's members with the first letter
lower-cased (`DBInstanceIdentifier` -> `dBInstanceIdentifier`) for the JSON, REST-JSON, query and
CBOR protocols. EC2 logs most calls in its query shape (`locationName`s, lists as `<name>Set` with
`items`, which the detector unwraps) and newer calls XML-style (`{"<Op>Request": {"VpcEndpointId":
{"content": ..}}}`); S3 logs the bucket as `bucketName`.
"""
from .naming import lower_first


def _unique(items):
    seen = set()
    return [i for i in items if not (i in seen or seen.add(i))]


def request_paths(service, operation, members):
    """Candidate paths of a chain of input members (outermost first), most likely first."""
    protocol = service.protocol
    if protocol == "ec2":
        return _ec2_request(service, operation, members)
    keys = []
    for member in members:
        if service.name in ("s3", "s3control") and member.name == "Bucket" and len(members) == 1:
            keys.append(["bucketName", "bucket"])
        else:
            names = [lower_first(member.name)]
            if (member.location_name and member.location in (None, "uri", "querystring") and "-" not in member.location_name
                    and "_" not in member.location_name):
                names.append(lower_first(member.location_name))
            keys.append(_unique(names))
    return _combine("request", keys)


def response_paths(service, operation, members):
    """Candidate paths of a chain of output members."""
    if service.protocol == "ec2":
        plain = ["response." + ".".join(lower_first(m.location_name or m.name) for m in members)]
        xml = ["response." + operation + "Response." + ".".join(lower_first(m.location_name or m.name) for m in members)]
        return _unique(plain + xml)
    keys = []
    for member in members:
        names = [lower_first(member.name)]
        if member.location_name and member.location is None and "-" not in member.location_name:
            names.append(lower_first(member.location_name))
        keys.append(_unique(names))
    return _combine("response", keys)


def _combine(root, keys):
    paths = [root]
    for options in keys:
        paths = [p + "." + o for p in paths for o in options]
    return paths[:4]


def _ec2_request(service, operation, members):
    plain, xml = [], [operation + "Request"]
    for member in members:
        location = member.location_name or member.name
        if member.type == "list":
            item_shape, item = service.list_member_shape(member.shape_name)
            item_name = item.get("locationName") or location
            # Query shape: `instancesSet.items[].instanceId` style lists, or the list under its own name.
            plain.append([lower_first(location) + "Set." + lower_first(item_name), lower_first(member.name),
                          lower_first(location)])
            xml.append([item_name + ".content", item_name, member.name])
        else:
            plain.append([lower_first(location)])
            xml.append([member.name])
    result = []
    for options_list in (plain,):
        paths = ["request"]
        for options in options_list:
            paths = [p + "." + o for p in paths for o in options]
        result += paths
    paths = ["request." + xml[0]]
    for options in xml[1:]:
        paths = [p + "." + o for p in paths for o in options]
    # XML style first: calls logged that way carry nothing at the plain path, and vice versa.
    return _unique(paths[:3] + result[:3])
