from onca.cli import main

main()
