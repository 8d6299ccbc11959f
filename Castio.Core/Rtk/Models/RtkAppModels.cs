namespace Castio.Core.Rtk;

public sealed record RtkApp
{
    public string Id { get; init; } = "";
    public string? Name { get; init; }
    public DateTimeOffset? CreatedAt { get; init; }
}
public sealed record RtkCreateAppRequest(string Name);
public sealed record RtkCreateAppResult(RtkApp App);
