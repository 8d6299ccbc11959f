using System.Net;

namespace Castio.Functions.Auth;

/// <summary>
/// The address rate limits key on. Under the Functions host every request arrives from the local
/// host process, which forwards with YARP and appends the caller to X-Forwarded-For
/// (UNVERIFIED: spec §4 does not confirm YARP's default transforms), so from a loopback peer the
/// rightmost X-Forwarded-For entry is used; from any other peer the header is ignored.
/// </summary>
public static class ClientAddress
{
    public static string Resolve(HttpContext context)
    {
        var peer = context.Connection.RemoteIpAddress;
        if (peer is not null && IPAddress.IsLoopback(peer))
        {
            var forwarded = context.Request.Headers["X-Forwarded-For"].ToString();
            var last = forwarded.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
            if (last is not null && IPAddress.TryParse(last, out var client))
            {
                return client.ToString();
            }
        }

        return peer?.ToString() ?? "unknown";
    }
}
