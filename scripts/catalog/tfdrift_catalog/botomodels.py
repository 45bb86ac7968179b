"""AWS API models as botocore ships them: services, operations, and the members of their shapes."""
import botocore
import botocore.loaders

BOTOCORE_VERSION = "1.43.11"


def check_version():
    if botocore.__version__ != BOTOCORE_VERSION:
        raise SystemExit(
            f"the catalog is generated from botocore {BOTOCORE_VERSION}, this Python has {botocore.__version__}: "
            f"run scripts/catalog/generate.sh (it installs the pinned version), or pip install botocore=={BOTOCORE_VERSION}")


class Member:
    """One member of a structure shape, as CloudTrail would carry it."""

    def __init__(self, name, shape_name, shape, definition):
        self.name = name
        self.shape_name = shape_name
        self.shape = shape
        self.location = definition.get("location")  # uri, querystring, header, headers, statusCode
        self.location_name = definition.get("locationName")
        self.query_name = definition.get("queryName")
        self.type = shape.get("type")

    @property
    def is_scalar(self):
        return self.type in ("string", "integer", "long", "boolean", "double", "float", "timestamp", "blob")

    def __repr__(self):
        return f"Member({self.name}:{self.type})"


class Service:
    def __init__(self, name, model):
        self.name = name
        self.model = model
        self.metadata = model["metadata"]
        self.protocol = self.metadata["protocol"]
        self.shapes = model["shapes"]
        self.operations = model["operations"]

    @property
    def service_id(self):
        return self.metadata["serviceId"]

    def shape(self, name):
        return self.shapes.get(name, {})

    def members(self, shape_name):
        """The members of a structure shape, in model order."""
        shape = self.shape(shape_name)
        if shape.get("type") != "structure":
            return []
        return [Member(name, d["shape"], self.shape(d["shape"]), d) for name, d in shape.get("members", {}).items()]

    def required(self, shape_name):
        return set(self.shape(shape_name).get("required", []))

    def input_members(self, operation):
        shape = self.operations[operation].get("input", {}).get("shape")
        return self.members(shape) if shape else []

    def output_members(self, operation):
        shape = self.operations[operation].get("output", {}).get("shape")
        return self.members(shape) if shape else []

    def input_required(self, operation):
        shape = self.operations[operation].get("input", {}).get("shape")
        return self.required(shape) if shape else set()

    def list_member_shape(self, shape_name):
        """For a list shape: (member shape name, member definition)."""
        shape = self.shape(shape_name)
        member = shape.get("member", {})
        return member.get("shape"), member

    def http_method(self, operation):
        return self.operations[operation].get("http", {}).get("method", "POST")

    def is_deprecated(self, operation):
        return bool(self.operations[operation].get("deprecated"))


def load_services():
    """Every service's newest API version, by botocore service name, sorted."""
    loader = botocore.loaders.create_loader()
    services = {}
    for name in sorted(loader.list_available_services("service-2")):
        services[name] = Service(name, loader.load_service_model(name, "service-2"))
    return services
