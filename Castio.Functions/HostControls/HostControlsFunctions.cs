using System.ComponentModel;
using Castio.Core.Abuse;
using Castio.Core.Auth;
using Castio.Core.HostControls;
using Castio.Functions.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Castio.Functions.HostControls;

/// <summary>
/// Live controls of a meeting for its host, owners and admins; every attempt is audited. Members get 403 here,
/// a host of another meeting 403 from the service, another org's meeting 404.
/// </summary>
[Tags("Host controls"), RateLimit(nameof(RateLimitRules.ApiGeneral), RateLimitKey.User)]
public sealed class HostControlsFunctions(HostControlService controls)
{
    [Function("HostControls_Participants"), Requires(Permission.EditOwnMeeting), EndpointSummary("Everyone who has joined the meeting, with role, preset and removal")]
    public async Task<Results<Ok<ParticipantList>, ValidationProblem, ProblemHttpResult>> Participants(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/meetings/{id:guid}/participants")] HttpRequest req, Guid id, CancellationToken cancellationToken) =>
        (await controls.ListParticipantsAsync(req.Caller(), id, cancellationToken)).ToResult(TypedResults.Ok, req.HttpContext);

    [Function("HostControls_Kick"), Requires(Permission.EditOwnMeeting), EndpointSummary("Remove a participant: out of the live session, and no rejoin")]
    public async Task<Results<Ok<KickResult>, ValidationProblem, ProblemHttpResult>> Kick(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/meetings/{id:guid}/participants/{participantId:guid}/kick")] HttpRequest req,
        Guid id, Guid participantId, CancellationToken cancellationToken) =>
        (await controls.KickAsync(req.Caller(), id, participantId, cancellationToken)).ToResult(TypedResults.Ok, req.HttpContext);

    [Function("HostControls_ChangeRole"), Requires(Permission.EditOwnMeeting), EndpointSummary("Promote or demote a participant (host, member or guest); sets their RTK preset")]
    [Consumes(typeof(ChangeRoleRequest), "application/json")]
    public async Task<Results<Ok<ParticipantView>, ValidationProblem, ProblemHttpResult>> ChangeRole(
        [HttpTrigger(AuthorizationLevel.Anonymous, "patch", Route = "api/meetings/{id:guid}/participants/{participantId:guid}")] HttpRequest req,
        Guid id, Guid participantId, CancellationToken cancellationToken)
    {
        var request = await req.ReadJsonAsync<ChangeRoleRequest>(cancellationToken);
        return (await controls.ChangeRoleAsync(req.Caller(), id, participantId, request.Role, cancellationToken)).ToResult(TypedResults.Ok, req.HttpContext);
    }

    [Function("HostControls_Lock"), Requires(Permission.EditOwnMeeting), EndpointSummary("Lock the meeting: nobody new may join; people already in stay")]
    public async Task<Results<Ok<LockState>, ValidationProblem, ProblemHttpResult>> Lock(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/meetings/{id:guid}/lock")] HttpRequest req, Guid id, CancellationToken cancellationToken) =>
        (await controls.SetLockedAsync(req.Caller(), id, true, cancellationToken)).ToResult(TypedResults.Ok, req.HttpContext);

    [Function("HostControls_Unlock"), Requires(Permission.EditOwnMeeting), EndpointSummary("Unlock the meeting to new joins")]
    public async Task<Results<Ok<LockState>, ValidationProblem, ProblemHttpResult>> Unlock(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/meetings/{id:guid}/unlock")] HttpRequest req, Guid id, CancellationToken cancellationToken) =>
        (await controls.SetLockedAsync(req.Caller(), id, false, cancellationToken)).ToResult(TypedResults.Ok, req.HttpContext);

    [Function("HostControls_RecordingStart"), Requires(Permission.RecordOwnMeeting), EndpointSummary("Start recording the live session")]
    public async Task<Results<Ok<RecordingState>, ValidationProblem, ProblemHttpResult>> StartRecording(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/meetings/{id:guid}/recording/start")] HttpRequest req, Guid id, CancellationToken cancellationToken) =>
        (await controls.StartRecordingAsync(req.Caller(), id, cancellationToken)).ToResult(TypedResults.Ok, req.HttpContext);

    [Function("HostControls_RecordingStop"), Requires(Permission.RecordOwnMeeting), EndpointSummary("Stop the running recording")]
    public async Task<Results<Ok<RecordingState>, ValidationProblem, ProblemHttpResult>> StopRecording(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/meetings/{id:guid}/recording/stop")] HttpRequest req, Guid id, CancellationToken cancellationToken) =>
        (await controls.StopRecordingAsync(req.Caller(), id, cancellationToken)).ToResult(TypedResults.Ok, req.HttpContext);

    [Function("HostControls_LivestreamStart"), Requires(Permission.EditOwnMeeting), EndpointSummary("Start livestreaming the live session (HLS playback URL)")]
    public async Task<Results<Ok<LivestreamState>, ValidationProblem, ProblemHttpResult>> StartLivestream(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/meetings/{id:guid}/livestream/start")] HttpRequest req, Guid id, CancellationToken cancellationToken) =>
        (await controls.StartLivestreamAsync(req.Caller(), id, cancellationToken)).ToResult(TypedResults.Ok, req.HttpContext);

    [Function("HostControls_LivestreamStop"), Requires(Permission.EditOwnMeeting), EndpointSummary("Stop the running livestream")]
    public async Task<Results<Ok<LivestreamState>, ValidationProblem, ProblemHttpResult>> StopLivestream(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/meetings/{id:guid}/livestream/stop")] HttpRequest req, Guid id, CancellationToken cancellationToken) =>
        (await controls.StopLivestreamAsync(req.Caller(), id, cancellationToken)).ToResult(TypedResults.Ok, req.HttpContext);

    [Function("HostControls_Audit"), Requires(Permission.EditOwnMeeting), EndpointSummary("The meeting's host-control audit log, newest first, a page at a time")]
    public async Task<Results<Ok<AuditPage>, ValidationProblem, ProblemHttpResult>> Audit(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/meetings/{id:guid}/audit")] HttpRequest req, Guid id,
        [Description("Cursor from the previous page's nextCursor.")] string? cursor,
        [Description("Page size, 1 to 100 (default 50).")] string? limit,
        CancellationToken cancellationToken) =>
        (await controls.ListAuditAsync(req.Caller(), id, cursor, QueryValue.Int(limit), cancellationToken)).ToResult(TypedResults.Ok, req.HttpContext);
}

public sealed record ChangeRoleRequest(string? Role);
