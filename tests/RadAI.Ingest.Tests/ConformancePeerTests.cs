using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using RadAI.Dicom;
using RadAI.Ingest.Tests.Support;
using Xunit;

namespace RadAI.Ingest.Tests;

/// <summary>
/// The conformance statement's negotiation tables against a running dicom-ingest, through a real peer: DCMTK's storescu
/// proposes, in one association, CT Image Storage in every transfer syntax the statement lists (each in its own
/// context), its preferred syntaxes in reverse order, and SOP classes the statement says are not accepted; the
/// A-ASSOCIATE-AC must say what the statement says, and the CT then goes through. Runs on the configured ingest host
/// (no host of its own): the caller is one of its known senders.
/// </summary>
[Collection(ConfiguredIngestCollection.Name)]
public sealed partial class ConformancePeerTests(ConfiguredIngest environment)
{
    private const string CallingAe = "KNOWN-PACS";

    private sealed record Proposal(string AbstractSyntax, IReadOnlyList<string> TransferSyntaxes);

    [Fact]
    public async Task Storescu_gets_the_contexts_the_statement_describes_accepted_and_rejected()
    {
        var accepted = ConformanceStatement.DefaultTransferSyntaxes;
        var notAccepted = ConformanceStatement.AllOnlyTransferSyntaxes;
        var proposals = new List<Proposal>();
        proposals.AddRange(accepted.Select(ts => new Proposal(DicomUids.CTImageStorage, [ts])));
        proposals.AddRange(notAccepted.Select(ts => new Proposal(DicomUids.CTImageStorage, [ts])));
        // RadAI's order of preference wins over the requestor's.
        var reversed = new Proposal(DicomUids.CTImageStorage, [.. accepted.Reverse()]);
        proposals.Add(reversed);
        // Not storage SOP classes: never accepted.
        var storageCommitment = new Proposal(DicomUids.StorageCommitmentPushModel, [DicomUids.ExplicitVRLittleEndian]);
        var dicomDir = new Proposal(DicomUids.MediaStorageDirectoryStorage, [DicomUids.ExplicitVRLittleEndian]);
        proposals.Add(storageCommitment);
        proposals.Add(dicomDir);
        var folder = environment.NewFolder("conformance");
        var config = Path.Combine(folder, "contexts.cfg");
        await File.WriteAllTextAsync(config, Profile(proposals));
        var study = await SyntheticStudy.WriteAsync(Path.Combine(folder, "study"), SyntheticStudy.MultiModality(ct: 1, mr: 0, dx: 0));

        var store = await Testing.ExternalTool.RunAsync("storescu",
            ["-d", "-xf", config, "Statement", "-aet", CallingAe, "-aec", IngestHost.AeTitle, "127.0.0.1",
                environment.Ingest.Port.ToString(CultureInfo.InvariantCulture), study.Instances.Single().Path]);

        var answers = AcceptedContexts(store);
        Assert.True(answers.Count == proposals.Count, Dcmtk.Describe(store));
        for (var i = 0; i < proposals.Count; i++)
        {
            // Context IDs are odd, in the order of the profile.
            var (result, _) = answers[(byte)((2 * i) + 1)];
            var proposal = proposals[i];
            var expected = proposal.AbstractSyntax != DicomUids.CTImageStorage ? "Abstract Syntax Not Supported"
                : proposal.TransferSyntaxes.Any(accepted.Contains) ? "Accepted"
                : "Transfer Syntaxes Not Supported";
            Assert.True(expected == result, $"{DicomUids.NameOf(proposal.AbstractSyntax)} in {string.Join(", ", proposal.TransferSyntaxes)}: {result}, the statement says {expected}.");
        }

        // The statement's first choice, Explicit VR Little Endian (DCMTK prints its name), although proposed last.
        Assert.Equal(DicomUids.ExplicitVRLittleEndian, accepted[0]);
        Assert.Equal("=LittleEndianExplicit", answers[(byte)((2 * proposals.IndexOf(reversed)) + 1)].TransferSyntax);
        Assert.True(store.ExitCode == 0, Dcmtk.Describe(store));
        Assert.Equal([(ushort)0x0000], Dcmtk.StoreStatuses(store));
    }

    /// <summary>A storescu configuration file with one profile, <c>Statement</c>: the proposals, in this order.</summary>
    private static string Profile(IReadOnlyList<Proposal> proposals)
    {
        var text = new StringBuilder("[[TransferSyntaxes]]\n");
        for (var i = 0; i < proposals.Count; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"[Syntaxes{i}]\n");
            for (var j = 0; j < proposals[i].TransferSyntaxes.Count; j++)
            {
                text.Append(CultureInfo.InvariantCulture, $"TransferSyntax{j + 1} = {proposals[i].TransferSyntaxes[j]}\n");
            }
        }

        text.Append("\n[[PresentationContexts]]\n[Contexts]\n");
        for (var i = 0; i < proposals.Count; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"PresentationContext{i + 1} = {proposals[i].AbstractSyntax}\\Syntaxes{i}\n");
        }

        return text.Append("\n[[Profiles]]\n[Statement]\nPresentationContexts = Contexts\n").ToString();
    }

    /// <summary>The presentation contexts of the A-ASSOCIATE-AC storescu -d printed: result and accepted transfer syntax by context ID.</summary>
    private static Dictionary<byte, (string Result, string? TransferSyntax)> AcceptedContexts(Testing.ExternalTool.Result storescu)
    {
        var output = storescu.Output + storescu.Error;
        var start = output.IndexOf("BEGIN A-ASSOCIATE-AC", StringComparison.Ordinal);
        var end = output.IndexOf("END A-ASSOCIATE-AC", StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, $"No A-ASSOCIATE-AC in storescu's output:\n{Dcmtk.Describe(storescu)}");
        var answers = new Dictionary<byte, (string, string?)>();
        byte? current = null;
        foreach (var line in output[start..end].Split('\n'))
        {
            if (ContextLine().Match(line) is { Success: true } context)
            {
                current = byte.Parse(context.Groups["id"].Value, CultureInfo.InvariantCulture);
                answers[current.Value] = (context.Groups["result"].Value, null);
            }
            else if (SyntaxLine().Match(line) is { Success: true } syntax && current is { } id)
            {
                answers[id] = (answers[id].Item1, syntax.Groups["ts"].Value.Trim());
            }
        }

        return answers;
    }

    [GeneratedRegex(@"Context ID:\s+(?<id>\d+) \((?<result>[^)]+)\)")]
    private static partial Regex ContextLine();

    [GeneratedRegex(@"Accepted Transfer Syntax:\s+(?<ts>\S+)")]
    private static partial Regex SyntaxLine();
}
