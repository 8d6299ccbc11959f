namespace Castio.Functions.Hosting;

/// <summary>
/// Under the Functions host (FUNCTIONS_CUSTOMHANDLER_PORT set) the host owns the triggers and POSTs invocations;
/// standalone, this process serves HTTP itself and runs timers and queue pollers in-process.
/// </summary>
public static class HostingMode
{
    public const string PortSetting = "FUNCTIONS_CUSTOMHANDLER_PORT";
    public const string StandaloneUrl = "http://127.0.0.1:7071";

    public static bool IsCustomHandler(IConfiguration configuration) => !string.IsNullOrEmpty(configuration[PortSetting]);

    /// <summary>The address to listen on: the host always calls 127.0.0.1 on the port it chose.</summary>
    public static string? ListenUrl(IConfiguration configuration)
    {
        if (IsCustomHandler(configuration))
            return $"http://127.0.0.1:{configuration[PortSetting]}";
        // An explicit ASPNETCORE_URLS / --urls wins over the standalone default.
        return string.IsNullOrEmpty(configuration["urls"]) ? StandaloneUrl : null;
    }

    public static string Name(IConfiguration configuration) => IsCustomHandler(configuration) ? "custom-handler" : "standalone";
}
