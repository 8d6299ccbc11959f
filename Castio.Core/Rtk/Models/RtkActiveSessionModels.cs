namespace Castio.Core.Rtk;

public sealed record RtkKickRequest(List<string> ParticipantIds, List<string> CustomParticipantIds);
public sealed record RtkMuteAllRequest(bool AllowUnmute);
public sealed record RtkSessionParticipant
{
    public string Id { get; init; } = "";
    public string? Name { get; init; }
    public string? Email { get; init; }
    public string? Picture { get; init; }
    public DateTimeOffset? CreatedAt { get; init; }
    public DateTimeOffset? UpdatedAt { get; init; }
}
public sealed record RtkKickResult
{
    public string? Action { get; init; }
    public List<RtkSessionParticipant> Participants { get; init; } = [];
}
public sealed record RtkKickAllResult
{
    public string? Action { get; init; }
    public int KickedParticipantsCount { get; init; }
}
public sealed record RtkMuteAllResult
{
    public string? Action { get; init; }
    public int MutedParticipantsCount { get; init; }
}
