using Castio.Functions.Auth;
using Castio.Functions.Hosting;
using Castio.Functions.Orgs;
using Castio.Functions.Ping;
using Castio.Functions.Probes;
using Castio.Functions.Rtk;
using Castio.Functions.Users;

// `publish <outdir>` builds the deployable folder (app + host.json + function.json files) instead of serving.
if (args is ["publish", ..])
    return await PublishCommand.RunAsync(args[1..]);

var builder = WebApplication.CreateBuilder(args);

// Host: listening mode, logs, limits, problems, validation, OpenAPI, storage, timers and queue pollers
builder.AddCastioHost();

// RTK (the in-process simulator when no credentials are configured)
builder.AddRtkOrSimulator();

// Features
builder.Services.AddEcho();
builder.AddCastioAuth();

var app = builder.Build();

app.UseCastioHost();
app.UseCastioAuth();

// APIs (every route must belong to an HTTP function in Hosting/AppFunctions.cs)
app.MapPingApi();
app.MapEchoApi();
app.MapAuthApi();
app.MapUsersApi();
app.MapOrgApi();
app.MapBrandingApi();

app.Run();
return 0;

public partial class Program;
