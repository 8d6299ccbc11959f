using System.Net;

namespace Castio.Functions.Http;

/// <summary>Where the caller's address comes from; the host decides, not a setting.</summary>
public enum ClientAddressSource
{
    /// <summary>
    /// Behind the Functions host: every request reaches the worker from the host's proxy, so the peer is
    /// always loopback and the caller is read from X-Forwarded-For (see <see cref="ClientAddress.TrustedHopFromRight"/>).
    /// </summary>
    ForwardedByPlatform,

    /// <summary>Clients connect straight to this process (Castio.LocalHost): the header is the client's own claim and is ignored.</summary>
    Connection,
}

/// <summary>The address per-IP rate limits key on.</summary>
public sealed class ClientAddress(ClientAddressSource source)
{
    /// <summary>
    /// Which X-Forwarded-For entry, counted from the right, the platform wrote. The App Service front end
    /// appends the address it accepted the connection from; the Functions host then forwards to the worker
    /// through YARP, whose default transformer appends the front end's address. Entries further left came
    /// from the client and can be forged. UNVERIFIED against a live Flex app: if Azure shows a different
    /// chain, this one number changes.
    /// </summary>
    public const int TrustedHopFromRight = 2;

    public ClientAddressSource Source { get; } = source;

    public string Resolve(HttpContext context)
    {
        var peer = context.Connection.RemoteIpAddress;
        if (Source == ClientAddressSource.ForwardedByPlatform
            && FromForwardedFor(context.Request.Headers["X-Forwarded-For"].ToString()) is { } forwarded)
        {
            return forwarded;
        }

        return peer?.ToString() ?? "unknown";
    }

    internal static string? FromForwardedFor(string header)
    {
        var hops = header.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (hops.Length < TrustedHopFromRight)
        {
            return null;
        }

        var hop = hops[^TrustedHopFromRight];
        // The front end writes "ip:port" (IPv6 as "[ip]:port"); a bare address parses as is.
        if (IPAddress.TryParse(hop, out var address) || (IPEndPoint.TryParse(hop, out var endpoint) && (address = endpoint.Address) is not null))
        {
            return address.ToString();
        }

        return null;
    }
}
