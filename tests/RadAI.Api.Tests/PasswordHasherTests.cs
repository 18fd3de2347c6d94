using System.Text;
using Konscious.Security.Cryptography;
using Microsoft.Extensions.Options;
using RadAI.Api.Security;
using Xunit;

namespace RadAI.Api.Tests;

public sealed class PasswordHasherTests
{
    private static PasswordHasher Hasher(int memoryKiB = 1024, int iterations = 1, int parallelism = 1) =>
        new(Options.Create(new SecurityOptions { PasswordHashing = new Argon2Options { MemoryKiB = memoryKiB, Iterations = iterations, Parallelism = parallelism } }));

    [Fact]
    public async Task The_library_computes_the_Argon2id_test_vector_of_RFC_9106()
    {
        // RFC 9106 section 5.3: Argon2id, version 0x13, m=32 KiB, t=3, p=4, with secret and associated data.
        using var argon2 = new Argon2id(Enumerable.Repeat((byte)0x01, 32).ToArray())
        {
            Salt = Enumerable.Repeat((byte)0x02, 16).ToArray(),
            KnownSecret = Enumerable.Repeat((byte)0x03, 8).ToArray(),
            AssociatedData = Enumerable.Repeat((byte)0x04, 12).ToArray(),
            MemorySize = 32,
            Iterations = 3,
            DegreeOfParallelism = 4,
        };

        var tag = await argon2.GetBytesAsync(32);

        Assert.Equal("0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659", Convert.ToHexStringLower(tag));
    }

    [Fact]
    public async Task Hashes_verify_the_right_password_only_and_carry_their_parameters()
    {
        var hasher = Hasher(memoryKiB: 2048, iterations: 2);

        var hash = await hasher.HashAsync("correct horse battery staple");

        Assert.Matches(@"^\$argon2id\$v=19\$m=2048,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$", hash);
        Assert.True(await hasher.VerifyAsync("correct horse battery staple", hash));
        Assert.False(await hasher.VerifyAsync("correct horse battery stapl", hash));
        Assert.False(await hasher.VerifyAsync("", hash));
        // A random salt each time.
        Assert.NotEqual(hash, await hasher.HashAsync("correct horse battery staple"));
    }

    [Fact]
    public async Task A_hash_made_with_other_parameters_still_verifies_and_asks_for_a_rehash()
    {
        var old = await Hasher(memoryKiB: 1024, iterations: 1).HashAsync("a long enough password");
        var current = Hasher(memoryKiB: 2048, iterations: 2);

        Assert.True(await current.VerifyAsync("a long enough password", old));
        Assert.True(current.NeedsRehash(old));
        Assert.False(current.NeedsRehash(await current.HashAsync("a long enough password")));
    }

    [Theory]
    [InlineData("")]
    [InlineData("plain text")]
    [InlineData("$argon2i$v=19$m=1024,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g")]
    [InlineData("$argon2id$v=16$m=1024,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g")]
    [InlineData("$argon2id$v=19$m=1024,t=0,p=1$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g")]
    [InlineData("$argon2id$v=19$m=1024,t=1,p=1$!!$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g")]
    public async Task A_malformed_or_foreign_hash_never_verifies(string encoded)
    {
        Assert.False(await Hasher().VerifyAsync("plain text", encoded));
        Assert.True(Hasher().NeedsRehash(encoded));
    }

    [Fact]
    public void Secret_tokens_are_random_and_stored_as_their_hash()
    {
        var a = SecretTokens.New(SecretTokens.ApiKeyPrefix);
        var b = SecretTokens.New(SecretTokens.ApiKeyPrefix);

        Assert.NotEqual(a, b);
        Assert.Matches("^rk_[A-Za-z0-9_-]{43}$", a);
        Assert.Equal(64, SecretTokens.Hash(a).Length);
        Assert.Equal(SecretTokens.Hash(a), SecretTokens.Hash(Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(a))));
        Assert.NotEqual(SecretTokens.Hash(a), SecretTokens.Hash(b));
    }
}
