using Castio.Functions.Hosting;

namespace Castio.Tests.Hosting;

public class CrontabScheduleTests
{
    private static readonly DateTimeOffset Monday0907 = new(2026, 1, 5, 9, 7, 30, TimeSpan.Zero); // a Monday

    private static DateTimeOffset Next(string expression, DateTimeOffset after) =>
        CrontabSchedule.Parse(expression).GetNextOccurrence(after) ?? throw new InvalidOperationException("never fires");

    [Fact]
    public void EveryFiveMinutesFiresOnTheNextMultipleOfFive() =>
        Assert.Equal(new DateTimeOffset(2026, 1, 5, 9, 10, 0, TimeSpan.Zero), Next("0 */5 * * * *", Monday0907));

    [Fact]
    public void HourlyFiresAtTheTopOfTheNextHour() =>
        Assert.Equal(new DateTimeOffset(2026, 1, 5, 10, 0, 0, TimeSpan.Zero), Next("0 0 * * * *", Monday0907));

    [Fact]
    public void WeekdayRangeSkipsTheWeekend()
    {
        // Friday 10:00 → next Monday 09:30.
        var friday = new DateTimeOffset(2026, 1, 9, 10, 0, 0, TimeSpan.Zero);
        Assert.Equal(new DateTimeOffset(2026, 1, 12, 9, 30, 0, TimeSpan.Zero), Next("0 30 9 * * 1-5", friday));
    }

    [Fact]
    public void NextOccurrenceIsStrictlyLater()
    {
        var onTheDot = new DateTimeOffset(2026, 1, 5, 9, 10, 0, TimeSpan.Zero);
        Assert.Equal(onTheDot.AddMinutes(5), Next("0 */5 * * * *", onTheDot));
    }

    [Fact]
    public void ListsStepsAndRangeStepsAreHonoured()
    {
        Assert.Equal(new DateTimeOffset(2026, 1, 5, 17, 0, 0, TimeSpan.Zero), Next("0 0 9,17 * * *", Monday0907));
        Assert.Equal(new DateTimeOffset(2026, 1, 5, 9, 7, 45, TimeSpan.Zero), Next("*/15 * * * * *", Monday0907));
        Assert.Equal(new DateTimeOffset(2026, 1, 5, 9, 10, 0, TimeSpan.Zero), Next("0 0-30/10 * * * *", Monday0907));
        Assert.Equal(new DateTimeOffset(2026, 1, 5, 10, 40, 0, TimeSpan.Zero), Next("0 40-50/10 * * * *", Monday0907.AddMinutes(44)));
        // "a/n": from a to the end of the field.
        Assert.Equal(new DateTimeOffset(2026, 1, 5, 9, 20, 0, TimeSpan.Zero), Next("0 5/15 * * * *", Monday0907));
    }

    [Fact]
    public void MonthAndDayNamesAreAccepted()
    {
        // First Sunday in March 2026 at noon.
        Assert.Equal(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero), Next("0 0 12 * MAR SUN", Monday0907));
        Assert.Equal(Next("0 0 12 * 3 0", Monday0907), Next("0 0 12 * mar sun", Monday0907));
    }

    [Fact]
    public void DayOfMonthAndDayOfWeekMustBothMatch()
    {
        // The 13th that is a Friday: February 2026.
        Assert.Equal(new DateTimeOffset(2026, 2, 13, 0, 0, 0, TimeSpan.Zero), Next("0 0 0 13 * FRI", Monday0907));
    }

    [Fact]
    public void LeapDayScheduleWaitsForTheLeapYear() =>
        Assert.Equal(new DateTimeOffset(2028, 2, 29, 0, 0, 0, TimeSpan.Zero), Next("0 0 0 29 2 *", Monday0907));

    [Fact]
    public void ImpossibleDateNeverFires() =>
        Assert.Null(CrontabSchedule.Parse("0 0 0 30 2 *").GetNextOccurrence(Monday0907));

    [Theory]
    [InlineData("")]
    [InlineData("*/5 * * * *")]            // five fields: NCRONTAB for Functions needs six
    [InlineData("0 0 * * * * *")]
    [InlineData("60 * * * * *")]
    [InlineData("0 0 24 * * *")]
    [InlineData("0 0 0 0 * *")]
    [InlineData("0 0 0 * 13 *")]
    [InlineData("0 0 0 * * 7")]
    [InlineData("0 30-10 * * * *")]
    [InlineData("0 */0 * * * *")]
    [InlineData("0 x * * * *")]
    [InlineData("0 0 0 * FOO *")]
    [InlineData("0 0 9 * * MON-")]
    public void InvalidExpressionsAreRejectedWithAReason(string expression)
    {
        Assert.False(CrontabSchedule.TryParse(expression, out _, out var error));
        Assert.False(string.IsNullOrWhiteSpace(error));
        Assert.Throws<FormatException>(() => CrontabSchedule.Parse(expression));
    }

    [Fact]
    public void EveryDefinedTimerScheduleParses()
    {
        foreach (var timer in Castio.Functions.Hosting.AppFunctions.Timers)
            Assert.True(CrontabSchedule.TryParse(timer.Schedule, out _, out var error), error);
    }
}
