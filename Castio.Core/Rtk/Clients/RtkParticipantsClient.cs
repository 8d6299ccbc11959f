namespace Castio.Core.Rtk;

/// <summary>RTK meeting participants: <c>/{app}/meetings/{m}/participants</c>.</summary>
public sealed class RtkParticipantsClient : RtkApiClient
{
    internal RtkParticipantsClient(RtkConnection api) : base(api) { }

    /// <summary>Adds a participant; the answer carries the participant <c>token</c>.</summary>
    public async Task<RtkParticipant> AddAsync(string appId, string meetingId, RtkAddParticipantRequest request, CancellationToken cancellationToken = default)
    {
        Guard(appId, meetingId); ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrWhiteSpace(request.CustomParticipantId);
        ArgumentException.ThrowIfNullOrWhiteSpace(request.PresetName);
        var env = await Api.SendAsync(HttpMethod.Post, RtkRoutes.Participants(Acc, appId, meetingId), Body(request, Ctx.RtkAddParticipantRequest),
            Ctx.RtkEnvelopeRtkParticipant, idempotent: false, cancellationToken);
        return Required(env.Data);
    }

    public async Task<RtkParticipant> GetAsync(string appId, string meetingId, string participantId, CancellationToken cancellationToken = default)
    {
        Guard(appId, meetingId, participantId);
        return Required((await Api.GetAsync(RtkRoutes.Participant(Acc, appId, meetingId, participantId), Ctx.RtkEnvelopeRtkParticipant, cancellationToken)).Data);
    }

    public async Task<RtkPage<RtkParticipant>> ListAsync(string appId, string meetingId, RtkPageRequest? page = null, CancellationToken cancellationToken = default)
    {
        Guard(appId, meetingId);
        var q = new Query().Add("page_no", page?.PageNo).Add("per_page", page?.PerPage);
        var env = await Api.GetAsync(RtkRoutes.Participants(Acc, appId, meetingId) + q, Ctx.RtkEnvelopeListRtkParticipant, cancellationToken);
        return new(env.Data ?? [], env.Paging);
    }

    /// <summary>PATCH name/picture/preset (promote or demote); the answer carries a fresh token.</summary>
    public async Task<RtkParticipant> UpdateAsync(string appId, string meetingId, string participantId, RtkParticipantUpdate update, CancellationToken cancellationToken = default)
    {
        Guard(appId, meetingId, participantId); ArgumentNullException.ThrowIfNull(update);
        var env = await Api.SendAsync(HttpMethod.Patch, RtkRoutes.Participant(Acc, appId, meetingId, participantId), Body(update, Ctx.RtkParticipantUpdate),
            Ctx.RtkEnvelopeRtkParticipant, idempotent: true, cancellationToken);
        return Required(env.Data);
    }

    public Task<RtkParticipant> UpdatePresetAsync(string appId, string meetingId, string participantId, string presetName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(presetName);
        return UpdateAsync(appId, meetingId, participantId, new RtkParticipantUpdate { PresetName = presetName }, cancellationToken);
    }

    public async Task<RtkDeletedParticipant> DeleteAsync(string appId, string meetingId, string participantId, CancellationToken cancellationToken = default)
    {
        Guard(appId, meetingId, participantId);
        var env = await Api.SendAsync(HttpMethod.Delete, RtkRoutes.Participant(Acc, appId, meetingId, participantId), null,
            Ctx.RtkEnvelopeRtkDeletedParticipant, idempotent: true, cancellationToken);
        return Required(env.Data);
    }

    /// <summary>Issues a new token for the same participant.</summary>
    public async Task<string> RefreshTokenAsync(string appId, string meetingId, string participantId, CancellationToken cancellationToken = default)
    {
        Guard(appId, meetingId, participantId);
        var env = await Api.SendAsync(HttpMethod.Post, RtkRoutes.ParticipantToken(Acc, appId, meetingId, participantId), null,
            Ctx.RtkEnvelopeRtkParticipantToken, idempotent: false, cancellationToken);
        return Required(env.Data).Token;
    }
}
