using System.CommandLine;
using System.Reflection;

namespace RadAI.Cli;

/// <summary>The root command and its verbs.</summary>
public static class RadAICommand
{
    public static RootCommand Create()
    {
        var root = new RootCommand("radai — the RadAI command-line program (DICOM tools and node administration).");
        root.Subcommands.Add(CreateVersion());
        root.Subcommands.Add(DumpCommand.Create());
        root.Subcommands.Add(ScanCommand.Create());
        root.Subcommands.Add(EchoCommand.Create());
        root.Subcommands.Add(SendCommand.Create());
        root.Subcommands.Add(ListenCommand.Create());
        root.Subcommands.Add(SynthCommand.Create());
        root.Subcommands.Add(ModelCommand.Create());
        root.Subcommands.Add(AuditCommand.Create());
        return root;
    }

    private static Command CreateVersion()
    {
        var command = new Command("version", "Print the version of radai.");
        command.SetAction(parseResult =>
        {
            var version = typeof(RadAICommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
            parseResult.InvocationConfiguration.Output.WriteLine($"radai {version}");
            return ExitCodes.Success;
        });
        return command;
    }
}
