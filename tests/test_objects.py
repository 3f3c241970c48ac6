"""objects.toml (docs/reference/contracts.md §2): loading and validation errors that name the key."""

from __future__ import annotations

import pytest
from conftest import OBJECTS

from sim.errors import UserError
from sim.objects import build_objects, dump_objects, load_objects


def test_round_trip(tmp_path):
    objs = build_objects(OBJECTS)
    path = tmp_path / "objects.toml"
    dump_objects(objs, str(path))
    again = load_objects(str(path))
    assert again.to_dict() == objs.to_dict()
    assert again.dns["6001@SW1"].place == "Place_6001"
    assert again.agent_by_login["1002"] == "agent1002"
    assert again.groups_containing("GroupQueues", "7000@SW1") == ["SalesQueues"]


def _with(**changes):
    data = {k: [dict(x) for x in v] for k, v in OBJECTS.items()}
    for key, value in changes.items():
        section, index, field = key.split("__")
        data[section][int(index)][field] = value
    return data


@pytest.mark.parametrize("data,message", [
    (_with(dns__0__type="Trunk"), "objects.toml: dns[0].type: 'Trunk' is not one of"),
    (_with(dns__1__switch="SW9"), "objects.toml: dns[1].switch: unknown switch 'SW9'"),
    (_with(places__0__dns=["6001"]), "objects.toml: places[0].dns[0]: unknown DN '6001' (write DN@Switch)"),
    (_with(agents__1__login="1001"),
     "objects.toml: agents[1].login: login '1001' already belongs to agent 'agent1001'"),
    (_with(groups__0__members=["nobody"]), "objects.toml: groups[0].members[0]: unknown agent 'nobody'"),
    (_with(groups__2__members=["6001@SW1"]), "objects.toml: groups[2].members[0]: unknown mediation DN '6001@SW1'"),
    (_with(agents__0__id=""), "objects.toml: agents[0].id: '' should be non-empty"),
    (_with(dns__0__colour="red"),
     "objects.toml: dns[0]: Additional properties are not allowed ('colour' was unexpected)"),
])
def test_errors_name_the_key(data, message):
    with pytest.raises(UserError) as exc:
        build_objects(data)
    assert str(exc.value).startswith(message)
    assert "\n" not in str(exc.value)


def test_bad_toml_and_missing_file(tmp_path):
    path = tmp_path / "objects.toml"
    path.write_text("[[dns]\nnumber = 1")
    with pytest.raises(UserError, match=r"objects.toml: invalid TOML: .*line 1"):
        load_objects(str(path))
    with pytest.raises(UserError, match="no such file"):
        load_objects(str(tmp_path / "nope.toml"))
