using System.ComponentModel;
using Castio.Core.Abuse;
using Castio.Core.Auth;
using Castio.Core.Common;
using Castio.Core.PostMeeting;
using Castio.Functions.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Net.Http.Headers;

namespace Castio.Functions.PostMeeting;

/// <summary>
/// The post-meeting record of a meeting: sessions, recordings, transcripts, summary and chat export. Hosts read their
/// own meetings, owners and admins every one, members those open to the org; anything else is a 404.
/// </summary>
[Tags("Post-meeting"), RateLimit(nameof(RateLimitRules.ApiGeneral), RateLimitKey.User)]
public sealed class PostMeetingReadFunctions(PostMeetingReads reads)
{
    [Function("PostMeeting_ListSessions"), SignedIn, EndpointSummary("The meeting's sessions, newest first, a page at a time")]
    public async Task<Results<Ok<SessionPage>, ValidationProblem, ProblemHttpResult>> ListSessions(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/meetings/{meetingId:guid}/sessions")] HttpRequest req, Guid meetingId,
        [Description("The previous page's continuation.")] string? continuation,
        [Description("Page size, 1 to 100 (default 20).")] string? limit,
        CancellationToken cancellationToken) =>
        (await reads.ListSessionsAsync(req.Caller(), meetingId, continuation, QueryValue.Int(limit), cancellationToken)).ToResult(TypedResults.Ok, req.HttpContext);

    [Function("PostMeeting_GetSession"), SignedIn, EndpointSummary("One session with its participants (by Castio session id or RTK session id)")]
    public async Task<Results<Ok<SessionView>, ValidationProblem, ProblemHttpResult>> GetSession(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/meetings/{meetingId:guid}/sessions/{sessionId}")] HttpRequest req, Guid meetingId, string sessionId,
        CancellationToken cancellationToken) =>
        (await reads.GetSessionAsync(req.Caller(), meetingId, sessionId, cancellationToken)).ToResult(TypedResults.Ok, req.HttpContext);

    [Function("PostMeeting_ListRecordings"), SignedIn, EndpointSummary("The meeting's recordings; downloadUrl is a short-lived link to Castio's own copy")]
    public async Task<Results<Ok<RecordingList>, ValidationProblem, ProblemHttpResult>> ListRecordings(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/meetings/{meetingId:guid}/recordings")] HttpRequest req, Guid meetingId,
        CancellationToken cancellationToken) =>
        (await reads.ListRecordingsAsync(req.Caller(), meetingId, cancellationToken)).ToResult(TypedResults.Ok, req.HttpContext);

    [Function("PostMeeting_GetTranscript"), SignedIn, EndpointSummary("A session's final transcript entries (JSON), or WebVTT with Accept: text/vtt; default the latest session")]
    [ProducesResponseType(typeof(string), StatusCodes.Status200OK, "text/vtt")]
    public async Task<Results<Ok<TranscriptView>, FileContentHttpResult, ValidationProblem, ProblemHttpResult>> GetTranscript(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/meetings/{meetingId:guid}/transcripts")] HttpRequest req, Guid meetingId,
        [Description("Castio or RTK session id; default the newest session with a transcript.")] string? sessionId,
        CancellationToken cancellationToken)
    {
        if (Wants(req, "text/vtt"))
            return File(await reads.GetTranscriptVttAsync(req.Caller(), meetingId, sessionId, cancellationToken), req);
        var outcome = await reads.GetTranscriptAsync(req.Caller(), meetingId, sessionId, cancellationToken);
        return outcome.Error is { } error ? Fail(error, req) : TypedResults.Ok(outcome.Value);
    }

    [Function("PostMeeting_GetSummary"), SignedIn, EndpointSummary("A session's AI summary (markdown); default the latest session")]
    [ProducesResponseType(typeof(string), StatusCodes.Status200OK, "text/markdown")]
    public async Task<Results<FileContentHttpResult, ValidationProblem, ProblemHttpResult>> GetSummary(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/meetings/{meetingId:guid}/summary")] HttpRequest req, Guid meetingId,
        [Description("Castio or RTK session id; default the newest session with a summary.")] string? sessionId,
        CancellationToken cancellationToken) =>
        FileOnly(await reads.GetSummaryAsync(req.Caller(), meetingId, sessionId, cancellationToken), req);

    [Function("PostMeeting_GetChatExport"), SignedIn, EndpointSummary("A session's chat export (CSV as RTK writes it); default the latest session")]
    [ProducesResponseType(typeof(string), StatusCodes.Status200OK, "text/csv")]
    public async Task<Results<FileContentHttpResult, ValidationProblem, ProblemHttpResult>> GetChatExport(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/meetings/{meetingId:guid}/chat-export")] HttpRequest req, Guid meetingId,
        [Description("Castio or RTK session id; default the newest session with a chat export.")] string? sessionId,
        CancellationToken cancellationToken) =>
        FileOnly(await reads.GetChatExportAsync(req.Caller(), meetingId, sessionId, cancellationToken), req);

    [Function("PostMeeting_TriggerSummary"), Requires(Permission.EditOwnMeeting), EndpointSummary("Ask RTK to generate a session's summary (needs its transcript); default the latest ended session")]
    public async Task<Results<Accepted<SummaryTriggered>, ValidationProblem, ProblemHttpResult>> TriggerSummary(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/meetings/{meetingId:guid}/summary")] HttpRequest req, Guid meetingId,
        [Description("Castio or RTK session id; default the newest ended session.")] string? sessionId,
        CancellationToken cancellationToken) =>
        (await reads.TriggerSummaryAsync(req.Caller(), meetingId, sessionId, cancellationToken))
            .ToResult(t => TypedResults.Accepted($"/api/meetings/{meetingId}/summary", t), req.HttpContext);

    [Function("PostMeeting_ReconcileSession"), Requires(Permission.EditOwnMeeting), EndpointSummary("Compare a session's participants with RTK's and fill what Castio missed")]
    public async Task<Results<Ok<SessionReconciled>, ValidationProblem, ProblemHttpResult>> ReconcileSession(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/meetings/{meetingId:guid}/sessions/{sessionId}/reconcile")] HttpRequest req, Guid meetingId,
        [Description("Castio or RTK session id.")] string sessionId, CancellationToken cancellationToken) =>
        (await reads.ReconcileAsync(req.Caller(), meetingId, sessionId, cancellationToken)).ToResult(TypedResults.Ok, req.HttpContext);

    private static bool Wants(HttpRequest req, string mediaType) =>
        MediaTypeHeaderValue.TryParseList(req.Headers.Accept, out var accepted)
        && accepted.Any(a => a.MediaType.Equals(mediaType, StringComparison.OrdinalIgnoreCase));

    private static Results<Ok<TranscriptView>, FileContentHttpResult, ValidationProblem, ProblemHttpResult> File(Outcome<ArtefactFile> outcome, HttpRequest req) =>
        outcome.Error is { } error ? Fail(error, req) : TypedResults.File(outcome.Value.Content, outcome.Value.ContentType + "; charset=utf-8", outcome.Value.FileName);

    private static Results<FileContentHttpResult, ValidationProblem, ProblemHttpResult> FileOnly(Outcome<ArtefactFile> outcome, HttpRequest req) =>
        outcome.Error is { } error
            ? error.Kind == ErrorKind.Invalid ? Problems.Validation(error.Fields ?? new Dictionary<string, string[]>(), error.Code) : error.ToProblem(req.HttpContext)
            : TypedResults.File(outcome.Value.Content, outcome.Value.ContentType + "; charset=utf-8", outcome.Value.FileName);

    private static Results<Ok<TranscriptView>, FileContentHttpResult, ValidationProblem, ProblemHttpResult> Fail(Error error, HttpRequest req) =>
        error.Kind == ErrorKind.Invalid ? Problems.Validation(error.Fields ?? new Dictionary<string, string[]>(), error.Code) : error.ToProblem(req.HttpContext);
}
