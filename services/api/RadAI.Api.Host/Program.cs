using RadAI.Api;
using RadAI.Hosting;
using RadAI.Hosting.Database;
using RadAI.Hosting.Messaging;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults(ApiModule.ServiceName);
builder.AddRadAIDatabase();
builder.AddRadAIMessaging(bus => bus.AddApiConsumers());
builder.AddApi();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapApi();
app.Run();
