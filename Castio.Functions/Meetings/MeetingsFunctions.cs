using System.ComponentModel;
using System.Text.Json;
using Castio.Core.Abuse;
using Castio.Core.Auth;
using Castio.Core.HostControls;
using Castio.Core.Invites;
using Castio.Core.Meetings;
using Castio.Core.Scheduling;
using Castio.Functions.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;

namespace Castio.Functions.Meetings;

/// <summary>
/// Meetings of the caller's org and their lifecycle. Owners, admins and hosts create; hosts manage
/// their own meetings, owners and admins every one; members see the meetings open to the org, and read an
/// invite-only one they are invited to (Invites' rule, composed here: Invites depends on Meetings, not the reverse).
/// </summary>
[Tags("Meetings"), RateLimit(nameof(RateLimitRules.ApiGeneral), RateLimitKey.User)]
public sealed class MeetingsFunctions(MeetingService meetings, HostControlService controls, InviteService invites)
{
    [Function("Meetings_Create"), Requires(Permission.CreateMeetings), RateLimit(nameof(RateLimitRules.MeetingCreate), RateLimitKey.User)]
    [EndpointSummary("Create a meeting: instant (draft until started), scheduled, recurring or a permanent room"), Consumes(typeof(MeetingInput), "application/json")]
    public async Task<Results<Created<Meeting>, ValidationProblem, ProblemHttpResult>> Create(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/meetings")] HttpRequest req, CancellationToken cancellationToken)
    {
        var (input, problem) = await MeetingBody.ReadAsync(req, cancellationToken);
        return problem ?? (await meetings.CreateAsync(req.Caller(), input!, cancellationToken))
            .ToResult(m => TypedResults.Created($"/api/meetings/{m.Id}", m), req.HttpContext);
    }

    [Function("Meetings_List"), SignedIn]
    [EndpointSummary("List the org's meetings the caller may see, oldest first, a page at a time (a member's invite-only meetings are in GET /api/me/invites)")]
    public async Task<Results<Ok<MeetingPage>, ValidationProblem, ProblemHttpResult>> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/meetings")] HttpRequest req,
        [Description("draft, scheduled, active, ended or cancelled.")] string? status,
        [Description("video, audio, webinar or livestream.")] string? meetingType,
        [Description("instant, scheduled, recurring or permanent.")] string? schedulingType,
        [Description("Cursor from the previous page's nextCursor.")] string? cursor,
        [Description("Page size, 1 to 100 (default 50).")] string? limit,
        CancellationToken cancellationToken) =>
        (await meetings.ListAsync(req.Caller(), new MeetingFilter(Empty(status), Empty(meetingType), Empty(schedulingType)), cursor, QueryValue.Int(limit), cancellationToken))
            .ToResult(TypedResults.Ok, req.HttpContext);

    [Function("Meetings_Get"), SignedIn, EndpointSummary("One meeting (a member: open to the org, or invite-only and they are invited)")]
    public async Task<Results<Ok<Meeting>, ValidationProblem, ProblemHttpResult>> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/meetings/{meetingId:guid}")] HttpRequest req, Guid meetingId, CancellationToken cancellationToken)
    {
        var caller = req.Caller();
        return (await meetings.GetAsync(caller, meetingId, (id, ct) => invites.IsInvitedAsync(caller, id, ct), cancellationToken)).ToResult(TypedResults.Ok, req.HttpContext);
    }

    [Function("Meetings_Update"), Requires(Permission.EditOwnMeeting), EndpointSummary("Edit a meeting; omitted fields stay as they are (guestAccess \"inherit\" returns to the org's default)")]
    [Consumes(typeof(MeetingInput), "application/json")]
    public async Task<Results<Ok<Meeting>, ValidationProblem, ProblemHttpResult>> Update(
        [HttpTrigger(AuthorizationLevel.Anonymous, "patch", Route = "api/meetings/{meetingId:guid}")] HttpRequest req, Guid meetingId, CancellationToken cancellationToken)
    {
        var (input, problem) = await MeetingBody.ReadAsync(req, cancellationToken);
        return problem ?? (await meetings.UpdateAsync(req.Caller(), meetingId, input!, cancellationToken)).ToResult(TypedResults.Ok, req.HttpContext);
    }

    [Function("Meetings_Cancel"), Requires(Permission.EditOwnMeeting), EndpointSummary("Cancel a meeting (any state); its RTK meeting goes INACTIVE")]
    public async Task<Results<Ok<Meeting>, ValidationProblem, ProblemHttpResult>> Cancel(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "api/meetings/{meetingId:guid}")] HttpRequest req, Guid meetingId, CancellationToken cancellationToken) =>
        (await meetings.CancelAsync(req.Caller(), meetingId, cancellationToken)).ToResult(TypedResults.Ok, req.HttpContext);

    [Function("Meetings_Start"), Requires(Permission.EditOwnMeeting), EndpointSummary("Start a draft or scheduled meeting now: RTK meeting created and ACTIVE")]
    public async Task<Results<Ok<Meeting>, ValidationProblem, ProblemHttpResult>> Start(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/meetings/{meetingId:guid}/start")] HttpRequest req, Guid meetingId, CancellationToken cancellationToken) =>
        (await meetings.StartAsync(req.Caller(), meetingId, cancellationToken)).ToResult(TypedResults.Ok, req.HttpContext);

    [Function("Meetings_End"), Requires(Permission.EditOwnMeeting), EndpointSummary("End an active meeting for everyone: kick all, RTK INACTIVE (a recurring series: its running occurrence; audited as a host control)")]
    public async Task<Results<Ok<Meeting>, ValidationProblem, ProblemHttpResult>> End(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/meetings/{meetingId:guid}/end")] HttpRequest req, Guid meetingId, CancellationToken cancellationToken) =>
        (await controls.EndForEveryoneAsync(req.Caller(), meetingId, cancellationToken)).ToResult(TypedResults.Ok, req.HttpContext);

    [Function("Meetings_Resolve"), Anonymous, RateLimit(nameof(RateLimitRules.ApiGeneral), RateLimitKey.ClientAddress)]
    [Tags("Public"), EndpointSummary("Resolve a join link (meeting slug or vanity slug) to what the join page needs, and nothing more")]
    public async Task<Results<Ok<PublicMeeting>, ValidationProblem, ProblemHttpResult>> Resolve(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/public/{orgSlug}/m/{slug}")] HttpRequest req, string orgSlug, string slug, CancellationToken cancellationToken) =>
        (await meetings.ResolvePublicAsync(orgSlug, slug, cancellationToken)).ToResult(TypedResults.Ok, req.HttpContext);

    private static string? Empty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}

/// <summary>Every five minutes: settles RTK meetings left behind by a failure between RTK's create and Castio's write.</summary>
public sealed class MeetingsReconcile(MeetingReconciler reconciler)
{
    [Function("Meetings_Reconcile")]
    public Task Run([TimerTrigger("0 */5 * * * *")] TimerInfo timer, CancellationToken cancellationToken) => reconciler.ReconcileAsync(cancellationToken);
}

/// <summary>Reads a meeting body; a value of the wrong JSON type is a validation problem naming its field.</summary>
internal static class MeetingBody
{
    public static async Task<(MeetingInput? Input, ValidationProblem? Problem)> ReadAsync(HttpRequest req, CancellationToken cancellationToken)
    {
        if (!req.HasJsonContentType())
        {
            throw new ProblemException(StatusCodes.Status415UnsupportedMediaType, ProblemCodes.UnsupportedMediaType, "Unsupported media type", "Send application/json.");
        }

        var options = req.HttpContext.RequestServices.GetRequiredService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;
        try
        {
            var input = await JsonSerializer.DeserializeAsync<MeetingInput>(req.Body, options, cancellationToken);
            return input is null ? throw new ProblemException(StatusCodes.Status400BadRequest, ProblemCodes.InvalidJson, "Invalid JSON", "Send a JSON object.") : (input, null);
        }
        catch (JsonException e) when (e.Path is ['$', '.', .. var field] && field.Length > 0 && !field.Contains('.') && !field.Contains('['))
        {
            return (null, Problems.Validation(new Dictionary<string, string[]> { [field] = ["This field has the wrong JSON type."] }));
        }
        catch (JsonException)
        {
            throw new ProblemException(StatusCodes.Status400BadRequest, ProblemCodes.InvalidJson, "Invalid JSON", "The request body is not valid JSON for this endpoint.");
        }
    }
}
