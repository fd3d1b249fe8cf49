"""Scenario tests of the pure attendance core: exact minutes, statuses and trace reasons."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from hrcore.attendance.day import evaluate_employee
from hrcore.attendance.model import (
    AttendancePunch,
    DayResult,
    DayStatus,
    HoursMode,
    InOutMode,
    IssueKind,
    ShiftInstance,
    ShiftRule,
    TraceKind,
    WeekendCalendar,
)
from hrcore.models.enums import PunchStateCode as S

TZ = ZoneInfo("Asia/Shanghai")
MON = date(2025, 3, 3)  # a Monday
TUE = date(2025, 3, 4)
DAY = ShiftRule("D", time(9), time(18))
NIGHT = ShiftRule("N", time(22), time(6))


def at(day: date, hms: str) -> datetime:
    return datetime.combine(day, time.fromisoformat(hms), tzinfo=TZ)


def p(day: date, hms: str, state: S = S.UNDEFINED) -> AttendancePunch:
    return AttendancePunch(f"{day}T{hms}", at(day, hms), state)


def run(
    shifts: list[ShiftInstance],
    punches: list[AttendancePunch],
    first: date = MON,
    last: date = MON,
    leave: frozenset[date] = frozenset(),
):
    return evaluate_employee(
        "E1", shifts, punches, first, last, calendar=WeekendCalendar(), tz=TZ, leave_dates=leave
    )


def one_day(rule: ShiftRule, punches: list[AttendancePunch], day: date = MON) -> DayResult:
    result = run([rule.on(day, TZ)], punches, day, day)
    assert len(result.days) == 1
    return result.days[0]


def messages(day: DayResult, kind: TraceKind) -> list[str]:
    return [e.message for e in day.trace if e.kind is kind]


def test_day_shift_on_time() -> None:
    d = one_day(DAY, [p(MON, "08:55:00"), p(MON, "18:02:10")])
    assert d.status is DayStatus.PRESENT
    assert (d.worked_minutes, d.late_minutes, d.early_exit_minutes, d.after_end_minutes) == (
        547,
        0,
        0,
        2,
    )
    assert messages(d, TraceKind.USED) == [
        "08:55:00 check-in (first punch)",
        "18:02:10 check-out (last punch)",
    ]


def test_day_shift_late_beyond_grace_and_within_grace() -> None:
    late = one_day(DAY, [p(MON, "09:12:30"), p(MON, "18:00:00")])
    assert (late.status, late.late_minutes, late.worked_minutes) == (DayStatus.LATE, 12, 527)
    assert any(
        "late: check-in 12 min after start (grace 5 min)" in m
        for m in messages(late, TraceKind.RULE)
    )
    grace = one_day(DAY, [p(MON, "09:05:59"), p(MON, "18:00:00")])
    assert (grace.status, grace.late_minutes) == (DayStatus.PRESENT, 0)


def test_day_shift_early_exit_and_both() -> None:
    early = one_day(DAY, [p(MON, "09:00:00"), p(MON, "17:40:00")])
    assert (early.status, early.early_exit_minutes, early.worked_minutes) == (
        DayStatus.EARLY_EXIT,
        20,
        520,
    )
    both = one_day(DAY, [p(MON, "09:30:00"), p(MON, "17:00:00")])
    assert (both.status, both.late_minutes, both.early_exit_minutes, both.worked_minutes) == (
        DayStatus.LATE_AND_EARLY_EXIT,
        30,
        60,
        450,
    )


def test_night_shift_crossing_midnight_belongs_to_its_start_date() -> None:
    shifts = [NIGHT.on(MON, TZ), NIGHT.on(TUE, TZ)]
    punches = [
        p(MON, "21:50:00"),
        p(TUE, "06:10:00"),
        p(TUE, "22:07:00"),
        p(date(2025, 3, 5), "05:30:00"),
    ]
    days = run(shifts, punches, MON, TUE).days
    mon, tue = days
    assert (mon.date, mon.status, mon.worked_minutes, mon.after_end_minutes) == (
        MON,
        DayStatus.PRESENT,
        500,
        10,
    )
    assert (tue.date, tue.status, tue.late_minutes, tue.early_exit_minutes, tue.worked_minutes) == (
        TUE,
        DayStatus.LATE_AND_EARLY_EXIT,
        7,
        30,
        443,
    )


def test_night_checkout_before_next_day_shift_stays_with_the_night() -> None:
    # frappe/hrms #3298: 18:00-07:00 night then an 08:00 day shift; the 07:05 OUT is the night's.
    night = ShiftRule("N2", time(18), time(7))
    early_day = ShiftRule("D8", time(8), time(17))
    shifts = [night.on(MON, TZ), early_day.on(TUE, TZ)]
    punches = [p(MON, "17:55:00"), p(TUE, "07:05:00"), p(TUE, "07:50:00"), p(TUE, "17:01:00")]
    mon, tue = run(shifts, punches, MON, TUE).days
    assert (mon.status, mon.worked_minutes) == (DayStatus.PRESENT, 790)
    assert (tue.status, tue.worked_minutes) == (DayStatus.PRESENT, 551)


def test_forgotten_checkout_is_reported_not_guessed() -> None:
    d = one_day(DAY, [p(MON, "08:58:00")])
    assert (d.status, d.worked_minutes, d.late_minutes) == (DayStatus.MISSING_CHECKOUT, 0, 0)
    assert d.check_in == at(MON, "08:58:00") and d.check_out is None


def test_bounce_punches_collapse_to_the_first() -> None:
    d = one_day(
        DAY, [p(MON, "08:58:00"), p(MON, "08:58:20"), p(MON, "18:03:00"), p(MON, "18:03:30")]
    )
    assert (d.status, d.worked_minutes) == (DayStatus.PRESENT, 545)
    ignored = messages(d, TraceKind.IGNORED)
    assert ignored == [
        "08:58:20 ignored: bounce, within 60 s of the punch at 08:58:00",
        "18:03:30 ignored: bounce, within 60 s of the punch at 18:03:00",
    ]
    pairs = replace(DAY, hours_mode=HoursMode.PAIRS)
    d2 = one_day(
        pairs,
        [
            p(MON, "08:58:00"),
            p(MON, "12:00:00"),
            p(MON, "12:00:30"),
            p(MON, "13:00:00"),
            p(MON, "18:00:00"),
        ],
    )
    assert d2.worked_minutes == 182 + 300


def test_alternating_versus_state_based_in_out() -> None:
    punches = [p(MON, "08:50:00", S.IN), p(MON, "08:52:00", S.IN), p(MON, "18:00:00", S.OUT)]
    alternating = one_day(replace(DAY, hours_mode=HoursMode.PAIRS), punches)
    # positions decide: 08:50 in, 08:52 out, 18:00 an unpaired check-in
    assert (alternating.worked_minutes, alternating.status) == (2, DayStatus.EARLY_EXIT)
    state = one_day(replace(DAY, hours_mode=HoursMode.PAIRS, in_out_mode=InOutMode.STATE), punches)
    assert (state.worked_minutes, state.status) == (550, DayStatus.PRESENT)
    assert "08:52:00 ignored: check-in while another check-in is open" in messages(
        state, TraceKind.IGNORED
    )


def test_state_mode_infers_undefined_states_and_reports_missing_checkin() -> None:
    rule = replace(DAY, in_out_mode=InOutMode.STATE)
    d = one_day(rule, [p(MON, "08:55:00"), p(MON, "18:01:00")])
    assert (d.status, d.worked_minutes) == (DayStatus.PRESENT, 546)
    rules = messages(d, TraceKind.RULE)
    assert "08:55:00 device state undefined: taken as in (no check-in open)" in rules
    assert "18:01:00 device state undefined: taken as out (a check-in is open)" in rules
    only_out = one_day(rule, [p(MON, "17:30:00", S.OUT)])
    assert (only_out.status, only_out.early_exit_minutes) == (DayStatus.MISSING_CHECKIN, 30)


def test_half_day_and_absent_thresholds() -> None:
    rule = replace(DAY, half_day_below_minutes=240, absent_below_minutes=120)
    assert one_day(rule, [p(MON, "09:00:00"), p(MON, "12:00:00")]).status is DayStatus.HALF_DAY
    absent = one_day(rule, [p(MON, "09:00:00"), p(MON, "10:30:00")])
    assert (absent.status, absent.worked_minutes) == (DayStatus.ABSENT, 90)
    assert any(
        "absent: worked 90 min < absent threshold 120 min" in m
        for m in messages(absent, TraceKind.RULE)
    )
    exactly = one_day(rule, [p(MON, "09:00:00"), p(MON, "13:00:00")])
    assert (exactly.status, exactly.early_exit_minutes) == (DayStatus.EARLY_EXIT, 300)
    none = one_day(rule, [])
    assert none.status is DayStatus.ABSENT


def test_first_last_deducts_the_unpaid_break() -> None:
    d = one_day(replace(DAY, break_minutes=60), [p(MON, "09:00:00"), p(MON, "18:00:00")])
    assert d.worked_minutes == 480


def test_unmatched_punch_is_reported_and_traced() -> None:
    result = run([DAY.on(MON, TZ)], [p(MON, "02:00:00"), p(MON, "09:00:00"), p(MON, "18:00:00")])
    assert [u.punch.at for u in result.unmatched] == [at(MON, "02:00:00")]
    assert "outside every shift window" in result.unmatched[0].reason
    assert any(
        m.startswith("02:00:00 ignored: outside every shift window")
        for m in messages(result.days[0], TraceKind.IGNORED)
    )
    assert result.days[0].worked_minutes == 540


def test_unrostered_work_rest_day_and_leave() -> None:
    sat, sun = date(2025, 3, 8), date(2025, 3, 9)
    result = run(
        [DAY.on(MON, TZ)],
        [p(sat, "10:00:00"), p(sat, "14:30:00")],
        MON,
        sun,
        leave=frozenset({MON}),
    )
    by_date = {d.date: d for d in result.days}
    assert len(by_date) == 7
    assert by_date[MON].status is DayStatus.ON_LEAVE
    assert (by_date[sat].status, by_date[sat].worked_minutes) == (DayStatus.UNROSTERED_WORK, 270)
    assert by_date[sun].status is DayStatus.REST_DAY
    assert by_date[TUE].status is DayStatus.REST_DAY


def test_overlapping_shifts_are_a_data_error_not_a_crash() -> None:
    late_day = ShiftRule("L", time(5), time(13))
    result = run(
        [NIGHT.on(MON, TZ), late_day.on(TUE, TZ)],
        [p(MON, "22:00:00"), p(TUE, "06:00:00")],
        MON,
        TUE,
    )
    assert [i.kind for i in result.issues] == [IssueKind.OVERLAPPING_SHIFTS]
    assert result.issues[0].date == TUE
    mon, tue = result.days
    assert (mon.status, mon.worked_minutes) == (DayStatus.PRESENT, 480)
    assert tue.status is DayStatus.DATA_ERROR
    assert any("overlaps shift N" in e.message for e in tue.trace)
    same_day = run(
        [DAY.on(MON, TZ), ShiftRule("X", time(17), time(23)).on(MON, TZ)],
        [p(MON, "09:00:00"), p(MON, "18:00:00")],
    )
    assert len(same_day.issues) == 1
    assert same_day.days[0].status is DayStatus.PRESENT
    assert any(e.kind is TraceKind.ISSUE for e in same_day.days[0].trace)


def test_state_mode_first_last_does_not_end_the_day_on_a_break_punch() -> None:
    rule = replace(DAY, in_out_mode=InOutMode.STATE)
    forgot = one_day(
        rule,
        [p(MON, "08:55:00", S.IN), p(MON, "12:00:00", S.BREAK_OUT), p(MON, "13:00:00", S.BREAK_IN)],
    )
    assert (forgot.status, forgot.worked_minutes) == (DayStatus.MISSING_CHECKOUT, 0)
    full = one_day(
        rule,
        [
            p(MON, "08:55:00", S.IN),
            p(MON, "12:00:00", S.BREAK_OUT),
            p(MON, "13:00:00", S.BREAK_IN),
            p(MON, "18:03:00", S.OUT),
        ],
    )
    assert (full.status, full.worked_minutes) == (DayStatus.PRESENT, 548)
    assert "12:00:00 not counted: between first check-in and last check-out" in messages(
        full, TraceKind.IGNORED
    )
