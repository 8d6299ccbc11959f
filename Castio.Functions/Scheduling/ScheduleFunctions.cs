using System.ComponentModel;
using System.Text;
using Castio.Core.Abuse;
using Castio.Core.Invites;
using Castio.Core.Scheduling;
using Castio.Functions.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Castio.Functions.Scheduling;

/// <summary>
/// Recurrence preview, a series' occurrences, the org's agenda, one occurrence's override or
/// cancellation, and a meeting's calendar file. Visibility follows the meeting's (an invited member reads an
/// invite-only meeting's occurrences and calendar; Invites answers, composed here): another org's meeting or
/// occurrence is a 404.
/// </summary>
[Tags("Scheduling"), SignedIn, RateLimit(nameof(RateLimitRules.ApiGeneral), RateLimitKey.User)]
public sealed class ScheduleFunctions(ScheduleService schedules, ScheduleCalendar calendars, InviteService invites)
{
    [Function("Schedule_Preview"), EndpointSummary("Expand an RRULE from a local dtstart in an IANA time zone (limit 1–500, default 50)")]
    [Consumes(typeof(SchedulePreviewRequest), "application/json")]
    public async Task<Results<Ok<SchedulePreviewResult>, ValidationProblem, ProblemHttpResult>> Preview(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/schedule/preview")] HttpRequest req, CancellationToken cancellationToken)
    {
        var request = await req.ReadJsonAsync<SchedulePreviewRequest>(cancellationToken);
        return SchedulePreview.Run(request).ToResult(TypedResults.Ok, req.HttpContext);
    }

    [Function("Schedule_ListOccurrences"), EndpointSummary("A recurring meeting's occurrences in a range (default: the next 4 weeks; at most 366 days, 500 items)")]
    public async Task<Results<Ok<OccurrenceList>, ValidationProblem, ProblemHttpResult>> ListOccurrences(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/meetings/{id:guid}/occurrences")] HttpRequest req, Guid id,
        [Description("Start of the range, ISO 8601 with offset (default now).")] string? from,
        [Description("End of the range (exclusive), ISO 8601 with offset (default from + 28 days).")] string? to,
        CancellationToken cancellationToken) =>
        (await schedules.ListOccurrencesAsync(req.Caller(), id, from, to, Invited(req), cancellationToken)).ToResult(TypedResults.Ok, req.HttpContext);

    [Function("Schedule_Agenda"), EndpointSummary("The caller's upcoming meetings and occurrences across the org, by start time, a page at a time")]
    public async Task<Results<Ok<AgendaPage>, ValidationProblem, ProblemHttpResult>> Agenda(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/schedule")] HttpRequest req,
        [Description("Start of the window, ISO 8601 with offset (default now); meetings still running then are included.")] string? from,
        [Description("End of the window (exclusive; default from + 30 days; at most 92 days).")] string? to,
        [Description("Page size, 1 to 200 (default 50).")] string? limit,
        [Description("Cursor from the previous page's nextCursor.")] string? cursor,
        [Description("true: only meetings the caller hosts.")] string? mine,
        CancellationToken cancellationToken) =>
        (await schedules.ListAgendaAsync(req.Caller(), from, to, QueryValue.Int(limit), cursor, string.Equals(mine, "true", StringComparison.OrdinalIgnoreCase), cancellationToken))
            .ToResult(TypedResults.Ok, req.HttpContext);

    [Function("Schedule_UpdateOccurrence"), EndpointSummary("Override one occurrence's start, end or title (the meeting's host, or owner/admin)")]
    [Consumes(typeof(OccurrencePatch), "application/json")]
    public async Task<Results<Ok<OccurrenceView>, ValidationProblem, ProblemHttpResult>> UpdateOccurrence(
        [HttpTrigger(AuthorizationLevel.Anonymous, "patch", Route = "api/schedule/{occurrenceId:guid}")] HttpRequest req, Guid occurrenceId, CancellationToken cancellationToken)
    {
        var patch = await req.ReadJsonAsync<OccurrencePatch>(cancellationToken);
        return (await schedules.UpdateOccurrenceAsync(req.Caller(), occurrenceId, patch, cancellationToken)).ToResult(TypedResults.Ok, req.HttpContext);
    }

    [Function("Schedule_CancelOccurrence"), EndpointSummary("Cancel one occurrence (the meeting's host, or owner/admin)")]
    public async Task<Results<Ok<OccurrenceView>, ValidationProblem, ProblemHttpResult>> CancelOccurrence(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "api/schedule/{occurrenceId:guid}")] HttpRequest req, Guid occurrenceId, CancellationToken cancellationToken) =>
        (await schedules.CancelOccurrenceAsync(req.Caller(), occurrenceId, cancellationToken)).ToResult(TypedResults.Ok, req.HttpContext);

    [Function("Schedule_Calendar"), EndpointSummary("The meeting's schedule as an iCalendar file: RRULE, EXDATE and overridden occurrences included")]
    [ProducesResponseType(typeof(string), StatusCodes.Status200OK, ScheduleCalendar.ContentType)]
    public async Task<Results<ContentHttpResult, ValidationProblem, ProblemHttpResult>> Calendar(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/meetings/{id:guid}/calendar.ics")] HttpRequest req, Guid id, CancellationToken cancellationToken) =>
        (await calendars.GetAsync(req.Caller(), id, Invited(req), cancellationToken))
            .ToResult(ics => TypedResults.Text(ics, ScheduleCalendar.ContentType, Encoding.UTF8), req.HttpContext);

    private InviteCheck Invited(HttpRequest req)
    {
        var caller = req.Caller();
        return (meetingId, ct) => invites.IsInvitedAsync(caller, meetingId, ct);
    }
}
