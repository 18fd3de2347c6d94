using RadAI.Cli;

return await RadAICommand.Create().Parse(args).InvokeAsync();
