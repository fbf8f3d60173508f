"""Fill the database with synthetic, clearly labelled demo data for load tests and demonstrations.

Everything it makes cites one Source of kind "synthetic" and carries «[Syntetisk]» in its title, so it can never be
taken for a real record; it never touches fixtures/. Rows are written in bulk through django-simple-history's
helpers, then the statuses are rolled up once.
"""

import random
import time
from datetime import date, datetime, timedelta
from datetime import time as dtime

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from decisions.models import (
    Body,
    Commitment,
    CommitmentKind,
    Decision,
    Platform,
    Source,
    SourceKind,
    Theme,
)

from ...models import (
    ActionPlan,
    DecisionRole,
    Location,
    LocationKind,
    Measure,
    MeasureDecision,
    Organisation,
    OrganisationKind,
    PeriodKind,
    PeriodState,
    ReportingPeriod,
    StatusUpdate,
)
from ...services import rebuild_statuses
from ...status import FINAL, MeasureStatus

LABEL = "[Syntetisk]"
BATCH = 2000
YEARS = 5

SUBJECTS = [
    "lavterskel helsetilbud",
    "oppsøkende team",
    "overdoseforebygging",
    "boligoppfølging",
    "aktivitetstilbud",
    "akuttovernatting",
    "brukermedvirkning",
    "samarbeid med spesialisthelsetjenesten",
    "tidlig intervensjon for unge",
    "ettervern etter behandling",
    "nalokson-opplæring",
    "arbeidstrening",
]
VERBS = ["Styrke", "Etablere", "Utrede", "Utvide", "Evaluere", "Samordne", "Prøve ut", "Kartlegge"]
HAPPENED = [
    "Arbeidsgruppe er satt ned og har hatt første møte.",
    "Midler er innarbeidet i budsjettet.",
    "Tilbudet er i drift med noe redusert kapasitet.",
    "Avklaring med samarbeidspartnere pågår.",
    "Rekruttering av ansatte er gjennomført.",
    "Evaluering er bestilt.",
]
NEXT_STEPS = ["Rapport til neste tertial.", "Avklare finansiering.", "Starte opp drift.", "Oppsummere erfaringer."]


class Command(BaseCommand):
    help = "Generate labelled synthetic plans, measures, links and status history (for load tests and demos)."

    def add_arguments(self, parser):
        parser.add_argument("--measures", type=int, required=True, help="How many measures to make.")
        parser.add_argument("--updates", type=int, default=10, help="Status updates per measure on average.")
        parser.add_argument("--seed", type=int, default=2024, help="Random seed, for repeatable data.")

    def handle(self, *args, measures, updates, seed, **options):
        if measures < 1 or updates < 0:
            raise CommandError("--measures must be at least 1 and --updates at least 0.")
        rng = random.Random(seed)
        started = time.perf_counter()
        with transaction.atomic():
            counts = self._generate(rng, measures, updates)
            rebuild_statuses()
        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                "Synthetic data: {measures} measures, {updates} status updates, {commitments} commitments, "
                "{plans} plans in {elapsed:.1f} s.".format(elapsed=elapsed, **counts)
            )
        )

    def _generate(self, rng, n_measures, updates_per_measure):
        run = timezone.now().strftime("%Y%m%d%H%M%S%f")
        source = Source.objects.create(
            key=f"synthetic-{run}",
            title=f"{LABEL} Syntetiske demodata, ikke ekte saker",
            kind=SourceKind.SYNTHETIC,
            summary="Laget av generate_demo_data for lasttesting og demonstrasjon. Ingen av postene er ekte.",
        )
        themes = list(Theme.objects.all())
        periods = self._periods()
        authors = self._authors(run)

        orgs = bulk_create_with_history(
            [
                Organisation(name=f"{LABEL} Enhet {run[-6:]}-{i:02d}", kind=OrganisationKind.MUNICIPAL, source=source)
                for i in range(1, 21)
            ],
            Organisation,
        )
        locations = bulk_create_with_history(
            [
                Location(name=f"{LABEL} Sted {run[-6:]}-{i:02d}", kind=LocationKind.OTHER, source=source)
                for i in range(1, 11)
            ],
            Location,
        )
        decision = Decision.objects.create(
            title=f"{LABEL} Bystyrevedtak om oppfølging", body=Body.COUNCIL, source=source
        )
        platform = Platform.objects.create(title=f"{LABEL} Byrådsplattform", source=source)

        n_commitments = max(1, n_measures // 5)
        commitments = bulk_create_with_history(
            [
                Commitment(
                    decision=decision if i % 2 else None,
                    platform=None if i % 2 else platform,
                    number=i,
                    kind=CommitmentKind.ADDITION if i % 2 else CommitmentKind.PLEDGE,
                    title=f"{LABEL} {rng.choice(VERBS)} {rng.choice(SUBJECTS)}",
                    source=source,
                )
                for i in range(1, n_commitments + 1)
            ],
            Commitment,
            batch_size=BATCH,
        )

        n_plans = max(1, n_measures // 200)
        first_year = timezone.localdate().year - YEARS + 1
        plans = bulk_create_with_history(
            [
                ActionPlan(
                    title=f"{LABEL} Handlingsplan {i}",
                    valid_from_year=first_year,
                    valid_to_year=first_year + YEARS - 1,
                    adopted_by=decision,
                    source=source,
                )
                for i in range(1, n_plans + 1)
            ],
            ActionPlan,
        )

        start = datetime.combine(date(first_year, 1, 1), dtime(9), tzinfo=timezone.get_current_timezone())
        span_days = YEARS * 365
        # Reports lie in the past: from the first year up to now.
        report_minutes = max(1, int((timezone.now() - start).total_seconds() // 60))
        measure_rows = []
        for i in range(n_measures):
            measure_rows.append(
                Measure(
                    plan=plans[i % n_plans],
                    number=str(i // n_plans + 1),
                    title=f"{LABEL} {rng.choice(VERBS)} {rng.choice(SUBJECTS)}",
                    description="Syntetisk tiltak laget for lasttesting.",
                    responsible_unit=rng.choice(orgs),
                    deadline=(start + timedelta(days=rng.randrange(span_days))).date(),
                    source=source,
                    created_at=start,
                )
            )
        measures = bulk_create_with_history(measure_rows, Measure, batch_size=BATCH)

        self._links(rng, measures, commitments, orgs, locations, themes, decision)

        update_rows = []
        for measure in measures:
            count = rng.randint(max(0, updates_per_measure - 3), updates_per_measure + 3) if updates_per_measure else 0
            moments = sorted(start + timedelta(minutes=rng.randrange(report_minutes)) for _ in range(count))
            status = MeasureStatus.PLANNED
            for moment in moments:
                status = self._next_status(rng, status)
                update_rows.append(
                    StatusUpdate(
                        measure=measure,
                        period=periods.get(
                            (moment.year, "t1" if moment.month <= 4 else "t2" if moment.month <= 8 else "year")
                        ),
                        status=status,
                        happened=rng.choice(HAPPENED),
                        next_step=rng.choice(NEXT_STEPS),
                        author=rng.choice(authors),
                        source=source,
                        recorded_at=moment,
                    )
                )
        # Status updates are append-only and carry their own author and time; they have no history table.
        StatusUpdate.objects.bulk_create(update_rows, batch_size=BATCH)

        return {
            "measures": len(measures),
            "updates": len(update_rows),
            "commitments": len(commitments),
            "plans": len(plans),
        }

    def _links(self, rng, measures, commitments, orgs, locations, themes, decision):
        fulfils = Measure.commitments.through
        partners = Measure.partners.through
        places = Measure.locations.through
        topics = Measure.themes.through
        links, partner_rows, place_rows, theme_rows, decision_rows = [], [], [], [], []
        # The last tenth of the commitments get no measure, so "not followed up" shows in demos and load tests.
        linkable = commitments[: max(1, len(commitments) * 9 // 10)]
        for index, measure in enumerate(measures):
            targets = {linkable[index % len(linkable)]}
            if rng.random() < 0.3:
                targets.add(rng.choice(linkable))
            links += [fulfils(measure_id=measure.pk, commitment_id=c.pk) for c in targets]
            partner_rows += [
                partners(measure_id=measure.pk, organisation_id=o.pk) for o in rng.sample(orgs, rng.randint(0, 2))
            ]
            place_rows += [places(measure_id=measure.pk, location_id=loc.pk) for loc in rng.sample(locations, 1)]
            if themes:
                theme_rows += [topics(measure_id=measure.pk, theme_id=t.pk) for t in rng.sample(themes, 1)]
            decision_rows.append(MeasureDecision(measure=measure, decision=decision, role=DecisionRole.ADOPTED_PLAN))
        for model, rows in [
            (fulfils, links),
            (partners, partner_rows),
            (places, place_rows),
            (topics, theme_rows),
        ]:
            model.objects.bulk_create(rows, batch_size=BATCH)
        bulk_create_with_history(decision_rows, MeasureDecision, batch_size=BATCH)

    @staticmethod
    def _next_status(rng, current):
        if current in FINAL:
            return current
        roll = rng.random()
        if current == MeasureStatus.PLANNED:
            return MeasureStatus.IN_PROGRESS if roll < 0.6 else MeasureStatus.PLANNED
        if roll < 0.15:
            return MeasureStatus.DONE
        if roll < 0.18:
            return MeasureStatus.CANCELLED
        if roll < 0.35:
            return MeasureStatus.DELAYED
        return MeasureStatus.IN_PROGRESS

    @staticmethod
    def _periods():
        periods = {}
        this_year = timezone.localdate().year
        for year in range(this_year - YEARS + 1, this_year + 1):
            for kind, starts, ends in [
                (PeriodKind.FIRST_TERTIAL, date(year, 1, 1), date(year, 4, 30)),
                (PeriodKind.SECOND_TERTIAL, date(year, 5, 1), date(year, 8, 31)),
                (PeriodKind.YEAR, date(year, 1, 1), date(year, 12, 31)),
            ]:
                # Periods that have ended are published (their history is frozen), as they would be in real use.
                ended = ends < timezone.localdate()
                period, _ = ReportingPeriod.objects.get_or_create(
                    year=year,
                    kind=kind,
                    defaults={
                        "starts_on": starts,
                        "ends_on": ends,
                        "state": PeriodState.PUBLISHED if ended else PeriodState.PLANNED,
                        "published_at": timezone.make_aware(datetime.combine(ends, dtime(12))) if ended else None,
                    },
                )
                periods[(year, kind.value)] = period
        return periods

    @staticmethod
    def _authors(run):
        user_model = get_user_model()
        authors = []
        for i in range(1, 6):
            user = user_model(
                username=f"syntetisk-{run[-6:]}-{i}", first_name="Syntetisk", last_name=f"Saksbehandler {i}"
            )
            user.set_unusable_password()
            authors.append(user)
        return user_model.objects.bulk_create(authors)
