using Castio.Functions;
using Castio.Functions.Http;
using Castio.LocalHost;

var builder = WebApplication.CreateBuilder(args);

// local.settings.json, as func start reads it: Values, and Host.CORS for the SPA dev server
builder.AddLocalSettings();

// Where func start would listen, unless --urls says otherwise
if (string.IsNullOrEmpty(builder.Configuration["urls"]))
    builder.WebHost.UseUrls(FunctionEndpoints.DefaultUrl);

// Development storage: Azurite, started when nothing listens
builder.AddLocalAzurite();

// RealtimeKit: the in-process simulator when no RTK token is set
builder.AddRtkOrSimulator();

// Local stand-ins for Sentry's ingest and the phone-home endpoint, when LocalHost:Capture:Enabled is set
builder.AddCaptureEndpoints();

// Castio itself; clients reach this process directly, so X-Forwarded-For is theirs to forge and is ignored
builder.Services.AddSingleton(new ClientAddress(ClientAddressSource.Connection));
builder.Services.AddCastio(builder.Configuration);

// The functions' triggers (HTTP, timers, Durable in memory) and the OpenAPI document generated from them
builder.Services.AddFunctionEndpoints();
builder.Services.AddHostedService<TimerTriggers>();
builder.Services.AddDurableFunctions(FunctionCatalog.Instance);

var app = builder.Build();

app.UseCors(LocalSettings.PolicyName);
app.UseFunctionProblems();
app.MapFunctions();
app.MapCaptureEndpoints();

app.Run();
