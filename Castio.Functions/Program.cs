using Castio.Functions.Hosting;
using Castio.Functions.Ping;
using Castio.Functions.Probes;

// `publish <outdir>` builds the deployable folder (app + host.json + function.json files) instead of serving.
if (args is ["publish", ..])
    return await PublishCommand.RunAsync(args[1..]);

var builder = WebApplication.CreateBuilder(args);

// Host: listening mode, logs, limits, problems, validation, OpenAPI, storage, timers and queue pollers
builder.AddCastioHost();

// Features
builder.Services.AddEcho();

var app = builder.Build();

app.UseCastioHost();

// APIs (every route must belong to an HTTP function in Hosting/AppFunctions.cs)
app.MapPingApi();
app.MapEchoApi();

app.Run();
return 0;

public partial class Program;
