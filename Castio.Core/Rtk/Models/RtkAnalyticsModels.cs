namespace Castio.Core.Rtk;

public sealed record RtkDaywiseAnalytics
{
    public RtkSessionStats? SessionStats { get; init; }
    public RtkRecordingStats? RecordingStats { get; init; }
}
public sealed record RtkSessionStats
{
    public int SessionsCount { get; init; }
    public double SessionsMinutesConsumed { get; init; }
    public List<RtkSessionDayStat> DayStats { get; init; } = [];
}
public sealed record RtkSessionDayStat
{
    public string? Day { get; init; }
    public int TotalSessions { get; init; }
    public double TotalSessionMinutes { get; init; }
}
public sealed record RtkRecordingStats
{
    public int RecordingCount { get; init; }
    public double RecordingMinutesConsumed { get; init; }
    public List<RtkRecordingDayStat> DayStats { get; init; } = [];
}
public sealed record RtkRecordingDayStat
{
    public string? Day { get; init; }
    public int TotalRecordings { get; init; }
    public double TotalRecordingMinutes { get; init; }
}
