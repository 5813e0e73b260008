"""Reviewing points claims in one pass (issue 28: ≤ 2 s for 200 claims).

Builds a village of 1,500 households (the demo town's largest village ×100 is about that
many) with 200 claims waiting, recorded by its clerk, and times a reviewer approving them
all at once through `point_claims_review` — what the claims list's 审核通过 action runs. Each
approved claim enters the ledger: its line, the balance moved, the claim stamped. Prints the
seconds of the best of three rounds (each round on fresh claims) and the ratio to 2 s.

    python bench/claims.py [--claims 200]
"""

import argparse
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET = 2.0
HOUSEHOLDS = 1500
ROUNDS = 3


def build():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command

    from federation.core.models import StaffScope, Town, Village
    from federation.core.roles import POINTS_REVIEWER, VILLAGE_CLERK
    from federation.models import Household
    from points.models import PointRule

    call_command("migrate", verbosity=0)
    town = Town.objects.create(name="基准镇", county="基准县")
    village = Village.objects.create(town=town, name="基准村", sort_order=1)
    Household.objects.bulk_create(Household(village=village, number=f"B{n:05d}") for n in range(HOUSEHOLDS))
    rule = PointRule.objects.create(
        town=town, category="family", description="孝老爱亲", points=10, review=PointRule.Review.ONE
    )
    User = get_user_model()
    users = []
    for name, role in (("clerk", VILLAGE_CLERK), ("reviewer", POINTS_REVIEWER)):
        user = User.objects.create_user(name, password="x", is_staff=True)
        user.groups.add(Group.objects.get(name=role))
        StaffScope.objects.create(user=user, town=town).villages.add(village)
        users.append(user)
    return village, rule, *users


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--claims", type=int, default=200)
    args = parser.parse_args(sys.argv[2:] if sys.argv[1:2] == ["claims"] else sys.argv[1:])
    from bench.run import setup_django

    setup_django()
    from federation.models import Household
    from points.models import PointClaim
    from points.services import point_claim_record, point_claims_review

    village, rule, clerk, reviewer = build()
    households = list(Household.objects.filter(village=village).select_related("village")[: args.claims])
    times = []
    for round_ in range(ROUNDS):
        day = date(2024, 3 + round_, 10)
        for household in households:
            point_claim_record(household=household, rule=rule, day=day, by=clerk)
        waiting = list(PointClaim.objects.filter(status=PointClaim.Status.PENDING))
        started = time.perf_counter()
        done, refused = point_claims_review(claims=waiting, by=reviewer, approve=True)
        times.append(time.perf_counter() - started)
        assert done == len(waiting) and not refused, refused
    best = min(times)
    print(
        f"reviewing {args.claims} claims at once: {best:.2f} s (best of {ROUNDS}; "
        f"{', '.join(f'{t:.2f}' for t in times)}), {best / TARGET:.2f}× the {TARGET:.0f} s target"
    )


if __name__ == "__main__":
    main()
