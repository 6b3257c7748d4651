from casusgraaf.cli import main

main()
