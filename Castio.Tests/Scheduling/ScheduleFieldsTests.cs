using Castio.Core.Common;
using Castio.Core.Scheduling;

namespace Castio.Tests.Scheduling;

public class ScheduleFieldsTests
{
    private static string[] Fields(ScheduleInput input, DateTimeOffset? now = null)
    {
        var outcome = ScheduleFields.Validate(input, now);
        Assert.False(outcome.Succeeded);
        Assert.Equal(ErrorKind.Invalid, outcome.Error!.Kind);
        return [.. outcome.Error.Fields!.Keys.Order()];
    }

    [Fact]
    public void AScheduledMeetingKeepsItsInstantsAndZone()
    {
        var schedule = ScheduleFields.Validate(new ScheduleInput("scheduled", "2026-03-10T09:00:00-05:00", "2026-03-10T10:00:00-05:00", "America/New_York")).Value;

        Assert.Equal(SchedulingType.Scheduled, schedule.Type);
        Assert.Equal(new DateTimeOffset(2026, 3, 10, 14, 0, 0, TimeSpan.Zero), schedule.ScheduledStart);
        Assert.Equal("America/New_York", schedule.TimeZone);
        Assert.Null(schedule.Recurrence);
    }

    [Fact]
    public void ARecurringMeetingCarriesItsParsedRecurrence()
    {
        var schedule = ScheduleFields.Validate(new ScheduleInput("recurring", Timezone: "Europe/London", Rrule: "RRULE:FREQ=WEEKLY;BYDAY=MO", Dtstart: "2026-01-05T09:00", DurationMinutes: 30)).Value;

        Assert.Equal("FREQ=WEEKLY;BYDAY=MO", schedule.Recurrence!.Rule);
        Assert.Equal(new DateTime(2026, 1, 5, 9, 0, 0), schedule.Recurrence.DtStart);
        Assert.Equal(30, schedule.DurationMinutes);
    }

    [Fact]
    public void MissingTypeAndZoneReadAsInstantInUtc()
    {
        var schedule = ScheduleFields.Validate(new ScheduleInput(null)).Value;

        Assert.Equal(SchedulingType.Instant, schedule.Type);
        Assert.Equal("UTC", schedule.TimeZone);
    }

    [Theory]
    [InlineData("weekly", null, null, null, "schedulingType")]
    [InlineData("scheduled", null, null, null, "scheduledEnd,scheduledStart")]
    [InlineData("scheduled", "2026-03-10T09:00:00", "2026-03-10T10:00:00", null, "scheduledEnd,scheduledStart")]
    [InlineData("scheduled", "2026-03-10T10:00:00Z", "2026-03-10T09:00:00Z", null, "scheduledEnd")]
    [InlineData("scheduled", "2026-03-10T10:00:00Z", "2026-03-10T11:00:00Z", "Mars/Olympus", "timezone")]
    [InlineData("scheduled", "tomorrow", "2026-03-10T11:00:00Z", "EST5EDT-ish", "scheduledStart,timezone")]
    [InlineData("instant", "2026-03-10T10:00:00Z", null, null, "scheduledStart")]
    public void BadScheduledFieldsNameTheField(string type, string? start, string? end, string? zone, string expected)
    {
        Assert.Equal(expected.Split(','), Fields(new ScheduleInput(type, start, end, zone)));
    }

    [Fact]
    public void AScheduledStartInThePastIsRefusedWhenNowIsGiven()
    {
        var now = new DateTimeOffset(2026, 3, 10, 12, 0, 0, TimeSpan.Zero);

        Assert.Equal(["scheduledStart"], Fields(new ScheduleInput("scheduled", "2026-03-10T10:00:00Z", "2026-03-10T13:00:00Z"), now));
    }

    [Theory]
    [InlineData("FREQ=HOURLY", "2026-01-05T09:00:00", "UTC", 30, "rrule")]
    [InlineData("FREQ=MINUTELY;COUNT=5", "2026-01-05T09:00:00", "UTC", 30, "rrule")]
    [InlineData("FREQ=SECONDLY", "2026-01-05T09:00:00", "UTC", 30, "rrule")]
    [InlineData("FREQ=WEEKLY;BYDAY=XX", "2026-01-05T09:00:00", "UTC", 30, "rrule")]
    [InlineData("BYDAY=MO", "2026-01-05T09:00:00", "UTC", 30, "rrule")]
    [InlineData("FREQ=DAILY;COUNT=2;UNTIL=20270101T000000Z", "2026-01-05T09:00:00", "UTC", 30, "rrule")]
    [InlineData("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "2026-01-05T09:00:00", "UTC", 30, "rrule")]
    [InlineData("FREQ=DAILY;UNTIL=20250101T000000Z", "2026-01-05T09:00:00", "UTC", 30, "rrule")]
    [InlineData("FREQ=DAILY;COUNT=1000000", "2026-01-05T09:00:00", "UTC", 30, "rrule")]
    [InlineData("FREQ=DAILY;BYHOUR=9,10", "2026-01-05T09:00:00", "UTC", 30, "rrule")]
    [InlineData("FREQ=DAILY\nDTSTART:20260101T000000Z", "2026-01-05T09:00:00", "UTC", 30, "rrule")]
    [InlineData("FREQ=DAILY", "2026-01-05T09:00:00+01:00", "UTC", 30, "dtstart")]
    [InlineData("FREQ=DAILY", "1066-10-14T09:00:00", "UTC", 30, "dtstart")]
    [InlineData("FREQ=DAILY", "2026-01-05T09:00:00", "Europe/Londres", 30, "timezone")]
    [InlineData("FREQ=DAILY", "2026-01-05T09:00:00", "UTC", 0, "durationMinutes")]
    [InlineData("FREQ=DAILY", "2026-01-05T09:00:00", "UTC", 1441, "durationMinutes")]
    [InlineData(null, null, null, null, "dtstart,durationMinutes,rrule")]
    public void BadRecurringFieldsNameTheField(string? rrule, string? dtstart, string? zone, int? minutes, string expected)
    {
        var input = new ScheduleInput("recurring", Timezone: zone, Rrule: rrule, Dtstart: dtstart, DurationMinutes: minutes);

        Assert.Equal(expected.Split(','), Fields(input));
    }

    [Fact]
    public void ErrorsAddToTheCallersOwnFieldErrors()
    {
        var errors = new FieldErrors().Add("title", "Title is required.");

        var schedule = ScheduleFields.Validate(new ScheduleInput("recurring", Rrule: "FREQ=HOURLY", Dtstart: "2026-01-05T09:00:00", DurationMinutes: 30), errors);

        Assert.Null(schedule);
        Assert.Equal(["rrule", "title"], errors.ToDictionary().Keys.Order());
    }
}
