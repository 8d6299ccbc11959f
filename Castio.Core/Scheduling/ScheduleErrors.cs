namespace Castio.Core.Scheduling;

/// <summary>Stable problem codes of scheduling.</summary>
public static class ScheduleErrors
{
    public const string NotFound = "schedule.not_found";
    public const string OccurrenceNotFound = "schedule.occurrence_not_found";
    public const string Forbidden = "schedule.forbidden";
    public const string OccurrenceNotScheduled = "schedule.occurrence_not_scheduled";
    public const string Concurrent = "schedule.concurrent_change";
}
