using System.Net;
using System.Net.Sockets;

namespace Castio.Tests.Infrastructure;

/// <summary>
/// A port for an app that must know its own address before it starts (capture endpoints, restarts on the same port).
/// Picked below Linux's ephemeral range (32768–60999), so an app binding port 0 meanwhile cannot be handed the same
/// one; random, and checked free, against the other tests picking at the same time.
/// </summary>
public static class TestPorts
{
    public static int Free()
    {
        for (var attempt = 0; ; attempt++)
        {
            var port = Random.Shared.Next(20_000, 32_000);
            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                return port;
            }
            catch (SocketException) when (attempt < 100)
            {
            }
        }
    }
}
