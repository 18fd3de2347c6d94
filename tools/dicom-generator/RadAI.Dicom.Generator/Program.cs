Console.WriteLine("generator: to be written");
