namespace Castio.Core.Rtk;

public sealed record RtkAddParticipantRequest
{
    public required string CustomParticipantId { get; init; }
    public required string PresetName { get; init; }
    public string? Name { get; init; }
    public string? Picture { get; init; }
}
public sealed record RtkParticipantUpdate
{
    public string? Name { get; init; }
    public string? Picture { get; init; }
    public string? PresetName { get; init; }
}

/// <summary>A meeting participant. <see cref="Token"/> is present only on add and update, never on GET or list.</summary>
public sealed record RtkParticipant
{
    public string Id { get; init; } = "";
    public string? Name { get; init; }
    public string? Picture { get; init; }
    public string? CustomParticipantId { get; init; }
    public string? PresetName { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
    public string? Token { get; init; }

    public override string ToString() => $"RtkParticipant {{ Id = {Id}, PresetName = {PresetName} }}"; // never print the token
}
public sealed record RtkDeletedParticipant
{
    public string? CustomParticipantId { get; init; }
    public string? PresetId { get; init; }
    public DateTimeOffset? CreatedAt { get; init; }
    public DateTimeOffset? UpdatedAt { get; init; }
}
public sealed record RtkParticipantToken(string Token)
{
    public override string ToString() => "RtkParticipantToken { Token = *** }";
}
