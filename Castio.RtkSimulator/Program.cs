using Castio.RtkSimulator;

// Standalone RTK simulator: `dotnet run --project Castio.RtkSimulator [--port 5080] [--app-id <id>]`.
var config = new ConfigurationBuilder().AddCommandLine(args).AddEnvironmentVariables("RTKSIM_").Build();
var options = new RtkSimulatorOptions
{
    Port = config.GetValue("port", 5080),
    DefaultAppId = config["app-id"] ?? "00000000-0000-7000-8000-000000000001",
    AutoAdvanceRecordings = true,
    ProduceArtefactsOnEnd = true,
    EnableLogging = true,
};
if (config["api-token"] is { Length: > 0 } token) options.ApiToken = token;

await using var host = await RtkSimulatorHost.StartAsync(options);
if (config["webhook-url"] is { Length: > 0 } url) host.State.RegisterAccountWebhook(url);
Console.WriteLine($"RTK simulator at {host.BaseUrl} (account {host.AccountId}, token '{options.ApiToken}', app {options.DefaultAppId}); control endpoints at {host.ServerUrl}/__sim");
await host.WaitForShutdownAsync();
