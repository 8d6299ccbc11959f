using System.Net;
using System.Net.Sockets;

namespace Castio.LocalHost;

/// <summary>
/// A loopback port for a listener that must know its address before it starts: the in-memory Durable sidecar, and in
/// tests, apps whose capture endpoints or restarts need their own port.
/// Picked below Linux's ephemeral range (32768–60999), so an app binding port 0 meanwhile cannot be handed the same
/// one; random, and checked free, against the other tests picking at the same time.
/// </summary>
public static class LoopbackPorts
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
