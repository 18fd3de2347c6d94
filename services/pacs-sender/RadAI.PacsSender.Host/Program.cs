using RadAI.PacsSender;
using RadAI.Hosting;
using RadAI.Hosting.Database;
using RadAI.Hosting.Messaging;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults(PacsSenderModule.ServiceName);
builder.AddRadAIDatabase();
builder.AddRadAIMessaging(bus => bus.AddPacsSenderConsumers());
builder.AddPacsSender();

var app = builder.Build();
app.MapDefaultEndpoints();
app.Run();
