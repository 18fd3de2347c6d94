using RadAI.Inference;
using RadAI.Hosting;
using RadAI.Hosting.Database;
using RadAI.Hosting.Messaging;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults(InferenceModule.ServiceName);
builder.AddRadAIDatabase();
builder.AddRadAIMessaging(bus => bus.AddInferenceConsumers());
builder.AddInference();

var app = builder.Build();
app.MapDefaultEndpoints();
app.Run();
