"""Per-plan options a facilitator sets in chat: the roles offered at joining, limited invite codes."""

from __future__ import annotations

from datetime import timedelta

from tests.engine.conftest import World, codes_from


def test_roles_offered_at_joining_are_the_plans_own(world: World, new_plan) -> None:
    facilitator, code, _ = new_plan()
    assert "Producer" in facilitator.send("/roles")[0].text
    saved = facilitator.send("/roles Boat owners; Fish traders; Ice makers")[0].text
    assert "Boat owners, Fish traders, Ice makers, Other" in saved
    person = world.person("juma")
    person.send(f"/start {code}")
    person.tap("I agree")
    assert [choice.label for choice in person.choices] == ["Boat owners", "Fish traders", "Ice makers", "Other"]
    person.tap("Fish traders")
    assert "How big" in person.last_text
    # a stakeholder cannot change them, and nothing changed
    assert person.send("/roles Tourists")[0].error
    assert "Boat owners" in facilitator.send("/roles")[0].text
    assert "cannot be a role" in facilitator.send("/roles ✨")[0].text


def test_invite_codes_with_an_end_date_and_a_use_limit(world: World, new_plan) -> None:
    facilitator, old_code, _ = new_plan()
    replies = facilitator.send("/invite days 7 uses 1")
    assert "for 1 person each" in replies[-1].text
    code, _ = codes_from(replies[1].text)
    assert code != old_code
    refused = world.person("late").send(f"/start {old_code}")[0].text
    assert "does not work" in refused  # the old code was revoked

    assert "Do you agree?" in world.person("first").send(f"/start {code}")[-1].text
    assert "does not work" in world.person("second").send(f"/start {code}")[0].text  # used up

    facilitator.send("/invite days 1")
    code, _ = codes_from(facilitator.send("/invite")[0].text)
    world.now += timedelta(days=2)
    assert "does not work" in world.person("third").send(f"/start {code}")[0].text  # expired
    assert "Use /invite" in facilitator.send("/invite forever")[0].text
