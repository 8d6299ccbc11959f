namespace Castio.Tests.Infrastructure;

public static class TestClock
{
    /// <summary>Where every test's FakeTimeProvider starts: a Monday morning, UTC.</summary>
    public static readonly DateTimeOffset Start = new(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);
}
