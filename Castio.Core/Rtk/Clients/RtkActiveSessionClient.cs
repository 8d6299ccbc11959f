namespace Castio.Core.Rtk;

/// <summary>The live session of a meeting: <c>/{app}/meetings/{m}/active-session</c>.</summary>
public sealed class RtkActiveSessionClient : RtkApiClient
{
    internal RtkActiveSessionClient(RtkConnection api) : base(api) { }

    /// <summary>The live session; an <see cref="RtkException"/> with 404 when none is live.</summary>
    public async Task<RtkSession> GetAsync(string appId, string meetingId, CancellationToken cancellationToken = default)
    {
        Guard(appId, meetingId);
        return Required((await Api.GetAsync(RtkRoutes.ActiveSession(Acc, appId, meetingId), Ctx.RtkEnvelopeRtkSession, cancellationToken)).Data);
    }

    /// <summary>Kicks by participant ids and/or custom ids; both keys are always sent, as the current schema requires both arrays.</summary>
    public async Task<RtkKickResult> KickAsync(string appId, string meetingId, IEnumerable<string>? participantIds, IEnumerable<string>? customParticipantIds, CancellationToken cancellationToken = default)
    {
        Guard(appId, meetingId);
        var body = new RtkKickRequest([.. participantIds ?? []], [.. customParticipantIds ?? []]);
        if (body.ParticipantIds.Count == 0 && body.CustomParticipantIds.Count == 0)
            throw new ArgumentException("Name at least one participant to kick.", nameof(participantIds));
        var env = await Api.SendAsync(HttpMethod.Post, RtkRoutes.ActiveSessionKick(Acc, appId, meetingId), Body(body, Ctx.RtkKickRequest),
            Ctx.RtkEnvelopeRtkKickResult, idempotent: false, cancellationToken);
        return Required(env.Data);
    }

    public async Task<RtkKickAllResult> KickAllAsync(string appId, string meetingId, CancellationToken cancellationToken = default)
    {
        Guard(appId, meetingId);
        var env = await Api.SendAsync(HttpMethod.Post, RtkRoutes.ActiveSessionKickAll(Acc, appId, meetingId), null,
            Ctx.RtkEnvelopeRtkKickAllResult, idempotent: false, cancellationToken);
        return Required(env.Data);
    }

    public async Task<RtkMuteAllResult> MuteAllAsync(string appId, string meetingId, bool allowUnmute, CancellationToken cancellationToken = default)
    {
        Guard(appId, meetingId);
        var env = await Api.SendAsync(HttpMethod.Post, RtkRoutes.ActiveSessionMuteAll(Acc, appId, meetingId), Body(new RtkMuteAllRequest(allowUnmute), Ctx.RtkMuteAllRequest),
            Ctx.RtkEnvelopeRtkMuteAllResult, idempotent: false, cancellationToken);
        return Required(env.Data);
    }
}
