from kubectl_imagerepo.cli import main

main()
