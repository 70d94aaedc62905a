"""Zone settings of the Cloudflare emulator, read from the vendored spec (``zones_setting``).

Each setting of the spec's ``zones_setting`` ``oneOf`` whose value the spec describes (an enum of
strings or numbers, a number, an object, an array) and gives a default is emulated with that default: a new zone
starts with every default, ``PATCH`` accepts what the value schema allows.  Plan limits are not
emulated (a Free zone of the live API refuses some of them, e.g. ``polish``, ``mirage``).
"""

import json
from dataclasses import dataclass

JSON_TYPES = {"string": str, "number": (int, float), "object": dict, "array": list}


@dataclass(frozen=True)
class ZoneSetting:
    id: str
    value_type: str  # "string", "number", "object", "array"
    choices: tuple  # the enum, or () when any value of the type is allowed
    default: object

    def accepts(self, value):
        if self.choices:
            return value in self.choices and not isinstance(value, bool)
        expected = JSON_TYPES[self.value_type]
        return isinstance(value, expected) and not isinstance(value, bool)

    def describe(self):
        if self.choices:
            return "one of " + ", ".join(str(choice) for choice in self.choices)
        return "a JSON " + self.value_type


def _resolve(schemas, schema):
    while "$ref" in schema:
        schema = schemas[schema["$ref"].rsplit("/", 1)[-1]]
    if "allOf" in schema:
        merged = {}
        for part in schema["allOf"]:
            part = _resolve(schemas, part)
            merged.update({key: value for key, value in part.items() if key != "properties"})
            merged.setdefault("properties", {}).update(part.get("properties", {}))
        return merged
    return schema


def zone_settings(spec_path):
    """``{setting id: ZoneSetting}`` of every setting the spec types."""
    with open(spec_path, encoding="utf-8") as handle:
        schemas = json.load(handle)["components"]["schemas"]
    settings = {}
    for variant in schemas["zones_setting"]["oneOf"]:
        properties = _resolve(schemas, variant).get("properties", {})
        setting_id = (properties.get("id", {}).get("enum") or [None])[0]
        value = _resolve(schemas, properties.get("value", {}))
        if not setting_id or value.get("type") not in JSON_TYPES or value.get("default") is None:
            continue  # e.g. automatic_platform_optimization: no default to start a zone with
        settings[setting_id] = ZoneSetting(setting_id, value["type"], tuple(value.get("enum") or ()),
                                           value.get("default"))
    return settings
